from django.urls import path

from invoices import followup_views, statement_views, views

# Each table downloads as CSV, as the CSV Swedish Excel opens, and as XLSX (invoices.sheets).
SWEDISH_CSV = {"file_format": "csv-sv"}
XLSX = {"file_format": "xlsx"}

urlpatterns = [
    path("", views.home, name="home"),
    path("sweep/", views.sweep_progress, name="sweep-progress"),
    path("search/", views.search, name="search"),
    path("aging/", views.aging_report, name="aging"),
    path("aging.csv", views.aging_export, name="aging-csv"),
    path("aging-sv.csv", views.aging_export, SWEDISH_CSV, name="aging-csv-sv"),
    path("aging.xlsx", views.aging_export, XLSX, name="aging-xlsx"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue.csv", views.overdue_export, name="overdue-csv"),
    path("overdue-sv.csv", views.overdue_export, SWEDISH_CSV, name="overdue-csv-sv"),
    path("overdue.xlsx", views.overdue_export, XLSX, name="overdue-xlsx"),
    path("customers/<int:pk>/", views.customer, name="customer"),
    path("customers/<int:pk>/refresh/", views.customer_refresh, name="customer-refresh"),
    path("customers/<int:pk>/reveal/", views.customer_reveal, name="customer-reveal"),
    path("customers/<int:pk>/invoices.csv", views.customer_export, name="customer-csv"),
    path("customers/<int:pk>/invoices-sv.csv", views.customer_export, SWEDISH_CSV, name="customer-csv-sv"),
    path("customers/<int:pk>/invoices.xlsx", views.customer_export, XLSX, name="customer-xlsx"),
    path("customers/<int:pk>/statement/", statement_views.statement_page, name="customer-statement"),
    path("customers/<int:pk>/statement.pdf", statement_views.statement_download, name="customer-statement-pdf"),
    path("followup/", followup_views.followup_list, name="followup"),
    path("followup/assign/", followup_views.followup_assign, name="followup-assign"),
    path("followup/customers/<int:pk>/", followup_views.followup_edit, name="followup-edit"),
    path("followup/customers/<int:pk>/notes/", followup_views.followup_note, name="followup-note"),
    path("followup/customers/<int:pk>/promises/", followup_views.followup_promise, name="followup-promise"),
    path("followup/customers/<int:pk>/dispute/", followup_views.followup_dispute, name="followup-dispute"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
    path("invoices/<int:pk>/refresh/", views.invoice_refresh, name="invoice-refresh"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice-pdf"),
]
