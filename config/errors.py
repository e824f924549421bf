"""Domain errors that services raise and the API and UI translate.

Validation of input uses django.core.exceptions.ValidationError with a dict of fields.
These cover what is not a field error: a missing delegation, a state that forbids an action.
"""

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ValidationError naming one field: the API answers it as error.fields[field], a form shows
    it at the field. The one helper every service uses to refuse a value."""
    return ValidationError({field: ValidationError(message, code=code)})


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class NotAllowed(DomainError):
    """The caller's role or delegation does not allow this action (HTTP 403)."""

    status = 403
    code = "not_allowed"


class Conflict(DomainError):
    """The object's state does not allow this change, e.g. editing a signed plan (HTTP 409)."""

    status = 409
    code = "conflict"


class FieldErrors:
    """Every field error of one input, collected so that a refusal names them all at once
    (issue 13: three saves to find three mistakes). Keys as in a ValidationError's dict:
    "made_on", "subgoals[1].measure"."""

    def __init__(self):
        self.errors: dict[str, list] = {}

    def add(self, field: str, message: str, code: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def __len__(self) -> int:
        return len(self.errors)

    def clean(self, instance, prefix: str = "", exclude=()) -> None:
        """The model's own validation (full_clean) for the fields not already reported. Constraints
        are checked only when nothing else is wrong: with a field missing they would only repeat it."""
        reported = {key[len(prefix):] for key in self.errors if key.startswith(prefix)}
        try:
            instance.full_clean(exclude=[*exclude, *reported], validate_constraints=not reported)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.errors.setdefault(f"{prefix}{field}", []).extend(errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


class RowErrors(FieldErrors):
    """Every row's errors of a bulk write (issue 15: a group's week, a case's checklist), each
    named `rows[i].<field>` as the API answers it and the web pages route it to the row's form.
    A row repeating an earlier row's key (the same participation twice) is an error on its own
    index: two rows about one thing contradict each other, they are not two writes."""

    def __init__(self):
        super().__init__()
        self._first: dict = {}

    def add_row(self, index: int, field: str, message: str, code: str) -> None:
        self.add(f"rows[{index}].{field}", message, code)

    def add_row_errors(self, index: int, exc: ValidationError) -> None:
        """A model's full_clean errors for the row, with their codes (max_value), not only the text."""
        for field, errors in exc.error_dict.items():
            self.errors.setdefault(f"rows[{index}].{field}", []).extend(errors)

    def repeated(self, index: int, key, field: str, what: str) -> bool:
        first = self._first.setdefault(key, index)
        if first != index:
            self.add_row(index, field, f"{what} finns redan på rad {first} (räknat från 0).", "duplicate")
        return first != index


def without_row_prefix(exc: ValidationError) -> ValidationError:
    """A bulk service's refusal of its only row, named as a single write names it
    (`attended_hours`, not `rows[0].attended_hours`): the single POST is the bulk one with one row."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({key.removeprefix("rows[0]."): errors for key, errors in exc.error_dict.items()})
