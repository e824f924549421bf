from django.urls import path

from . import views

urlpatterns = [
    path("personer/<int:pk>/journal/", views.person_journal, name="person-journal"),
    path("arenden/<int:pk>/journalutdrag.pdf", views.case_journal_pdf, name="case-journal-pdf"),
]
