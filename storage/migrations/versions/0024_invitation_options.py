"""invitations: confirmation toggles and the customer page's time zone mode

``add_to_calendar``: the customer is an attendee of the calendar events written for the booked meeting
(and so sees their description); ``send_confirmation``: the customer gets the booking mail and its
``.ics``; ``timezone_mode``: the customer's page shows times in the customer's zone ("customer") or
fixed in the invitation's ("fixed"). Existing rows get the defaults (on, on, "customer"), which is
what every invitation did before.

Revision ID: 0024
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0018"  # the last migration touching the invitations table
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "invitations",
        sa.Column("add_to_calendar", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "invitations",
        sa.Column("send_confirmation", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "invitations",
        sa.Column("timezone_mode", sa.String(length=16), nullable=False, server_default="customer"),
    )


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("timezone_mode")
        batch.drop_column("send_confirmation")
        batch.drop_column("add_to_calendar")
