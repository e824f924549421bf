from django.urls import path

from . import attachment_views, views

urlpatterns = [
    path("personer/<int:pk>/journal/", views.person_journal, name="person-journal"),
    path("arenden/<int:pk>/journalutdrag.pdf", views.case_journal_pdf, name="case-journal-pdf"),
    path("personer/<int:pk>/bilagor/ny/", attachment_views.attachment_new, name="person-attachment-new"),
    path("bilagor/<int:pk>/fil", attachment_views.attachment_file, name="attachment-download"),
]
