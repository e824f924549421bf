"""What the recording layer tells whoever listens: that a service recorded changes.

`changes_recorded` is sent by `log.record_changes` right after it writes the change events, inside
the service's transaction, with one `(object_type, object_id, person_ids)` per saved object. Every
write of every app records its change events there (a project rule), so a listener hears about
every saved fact without any app knowing the listener: audit's control layer uses it to re-check
the egenkontroll rules that read the fact (audit/control/reevaluation.py), and no app imports the
control layer. A Django signal rather than model post_save: set-based writes (bulk_create,
bulk_update, update) send no post_save, and a change event is exactly "a service saved this".
Listeners must not write in the sender's transaction; they queue work with transaction.on_commit.
"""

from django.dispatch import Signal

changes_recorded = Signal()
