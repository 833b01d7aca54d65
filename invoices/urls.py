from django.urls import path

from invoices import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("customers/<int:pk>/", views.customer, name="customer"),
    path("customers/<int:pk>/refresh/", views.customer_refresh, name="customer-refresh"),
]
