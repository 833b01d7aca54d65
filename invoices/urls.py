from django.urls import path, register_converter

from invoices import converters, followup_views, statement_views, views

# Customers and invoices are named by signed ids: their URLs cannot be guessed (invoices.converters).
register_converter(converters.CustomerId, "customer")
register_converter(converters.InvoiceId, "invoice")

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
    path("customers/<customer:pk>/", views.customer, name="customer"),
    path("customers/<customer:pk>/refresh/", views.customer_refresh, name="customer-refresh"),
    path("customers/<customer:pk>/reveal/", views.customer_reveal, name="customer-reveal"),
    path("customers/<customer:pk>/invoices.csv", views.customer_export, name="customer-csv"),
    path("customers/<customer:pk>/invoices-sv.csv", views.customer_export, SWEDISH_CSV, name="customer-csv-sv"),
    path("customers/<customer:pk>/invoices.xlsx", views.customer_export, XLSX, name="customer-xlsx"),
    path("customers/<customer:pk>/statement/", statement_views.statement_page, name="customer-statement"),
    path("customers/<customer:pk>/statement.pdf", statement_views.statement_download, name="customer-statement-pdf"),
    path("followup/", followup_views.followup_list, name="followup"),
    path("followup/assign/", followup_views.followup_assign, name="followup-assign"),
    path("followup/customers/<customer:pk>/", followup_views.followup_edit, name="followup-edit"),
    path("followup/customers/<customer:pk>/notes/", followup_views.followup_note, name="followup-note"),
    path("followup/customers/<customer:pk>/promises/", followup_views.followup_promise, name="followup-promise"),
    path("followup/customers/<customer:pk>/dispute/", followup_views.followup_dispute, name="followup-dispute"),
    path("invoices/<invoice:pk>/", views.invoice, name="invoice"),
    path("invoices/<invoice:pk>/refresh/", views.invoice_refresh, name="invoice-refresh"),
    path("invoices/<invoice:pk>/pdf/", views.invoice_pdf, name="invoice-pdf"),
]
