"""Sent inside a merge's transaction (stewardship.merge) for records above this layer that name an organization by
id without a foreign key (hsds.ExternalId): each receiver moves those naming `old` to `new` and returns
("app.Model.column", [the ids of the rows it moved]), which an undo moves back."""

from django.dispatch import Signal

organization_ids_moved = Signal()
