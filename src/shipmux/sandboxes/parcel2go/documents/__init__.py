"""Labels and invoices: pages described once, rendered to PDF (reportlab) or PNG (Pillow)."""
