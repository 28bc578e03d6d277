"""Family field values between the model, JSON (a ChangeRequest's before/after) and the
French text parents and agents read."""

import datetime
from typing import Any

from django.db import models

from tenant_apps.families.models import Child, Guardian, Household

MODELS: dict[str, type[models.Model]] = {
    "household": Household, "guardian": Guardian, "child": Child,
}


def model_field(entity: str, name: str) -> Any:
    """The families model field behind a policy field (a concrete field, never a relation)."""
    return MODELS[entity]._meta.get_field(name)


def to_json(value: Any) -> Any:
    """A value as stored in JSON: dates in ISO form, the rest unchanged."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def from_json(entity: str, name: str, value: Any) -> Any:
    """A JSON value back to what the model field holds (a date for a DateField...)."""
    if value is None:
        return None
    return model_field(entity, name).to_python(value)


def display(entity: str, name: str, value: Any) -> str:
    """French text of a value: the choice's label, oui/non, 13/05/2019, "—" when empty."""
    if value is None or value == "":
        return "—"
    field = model_field(entity, name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(field, models.DateField) and isinstance(value, str | datetime.date):
        day = from_json(entity, name, value)
        return day.strftime("%d/%m/%Y") if day else "—"
    return str(value)
