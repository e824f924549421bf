"""Import of records from a previous system (tidigare verksamhetssystem).

Sits above the apps, like the rest of the control layer: it reads the file, resolves references
between records through its provenance table (ImportedRecord), and writes through each app's own
bulk import services (cases/import_services.py, cases/decision_import_services.py,
planning/import_services.py, insatser/import_services.py). File format: README.

The entry point is `runner.import_records`; this package module imports nothing, because
audit/models.py loads `importing.models` while the apps are still loading.
"""
