"""The cards of the profile and child pages: which fields show, in which mode, with their
French values, pending changes and the URLs to edit them in place."""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from tenant_apps.family_portal import values
from tenant_apps.family_portal.policy import (
    LIST_CATEGORIES,
    EditMode,
    category_fields,
    category_get,
)
from tenant_apps.family_portal.selectors import PendingChange


@dataclass
class Row:
    name: str
    label: str
    value: str
    mode: str
    flag: bool | None = None  # a yes/no value, shown with an icon


@dataclass
class Card:
    entity: str
    slug: str
    title: str
    obj_id: int
    rows: list[Row]
    editable: bool
    pending: list[PendingChange] = field(default_factory=list)
    note: str = ""

    @property
    def dom_id(self) -> str:
        return f"carte-{self.entity}-{self.obj_id}-{self.slug}"

    def _url(self, suffix: str) -> str:
        args: list[str | int]
        if self.entity == "household":
            name, args = f"portal:profile:household_{suffix}", [self.slug]
        elif self.entity == "guardian":
            name, args = f"portal:profile:guardian_{suffix}", [self.obj_id, self.slug]
        else:
            name = "portal:children:section" if suffix == "card" else "portal:children:section_edit"
            args = [self.obj_id, self.slug]
        return reverse(name, args=args)

    @property
    def card_url(self) -> str:
        return self._url("card")

    @property
    def edit_url(self) -> str:
        return self._url("edit")

    @property
    def any_validated(self) -> bool:
        return any(r.mode == EditMode.VALIDATED for r in self.rows)


def _value(entity: str, obj: Any, name: str) -> str:
    text = values.display(entity, name, getattr(obj, name))
    if name == "quotient_familial" and obj.quotient_familial is not None:
        if obj.qf_valid_from and obj.qf_valid_until:
            text += (f" (valable du {obj.qf_valid_from:%d/%m/%Y} "
                     f"au {obj.qf_valid_until:%d/%m/%Y})")
    return text


def card_build(*, entity: str, slug: str, obj: Any, policy: dict[str, str],
               may_edit: bool = True,
               pending: dict[str, list[PendingChange]] | None = None) -> Card | None:
    """One card, or None when the commune hides every field of it."""
    category = category_get(entity, slug)
    if category is None or slug in LIST_CATEGORIES:
        return None
    rows = [
        Row(name=f.name, label=f.label, value=_value(entity, obj, f.name), mode=policy[f.key],
            flag=v if isinstance(v := getattr(obj, f.name), bool) else None)
        for f in category_fields(entity, slug)
        if policy[f.key] != EditMode.HIDDEN
    ]
    if not rows:
        return None
    return Card(
        entity=entity, slug=slug, title=category.title, obj_id=obj.pk, rows=rows,
        editable=may_edit and any(r.mode in EditMode.EDITABLE for r in rows),
        pending=(pending or {}).get(f"{entity}:{obj.pk}:{slug}", []),
    )
