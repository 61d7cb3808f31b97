"""The dashboard for web editors and customer-service managers, under ``/admin``: sign-in
(``auth.py``) and the pages and exports (``routes.py``), reading everything from the analytics
store."""
