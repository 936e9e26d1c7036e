"""election core: elections, ballot definitions, roles, ceremony, roll, credentials, ballots,
board, private voter signals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("default_language", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("credential_mode", sa.String(length=16), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("trustee_count", sa.Integer(), nullable=False),
        sa.Column("voter_list_public", sa.Boolean(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=True),
        sa.Column("ceremony_round", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elections")),
    )
    op.create_index(op.f("ix_elections_phase"), "elections", ["phase"], unique=False)
    op.create_table(
        "ballot_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_ballot_definitions_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_definitions")),
        sa.UniqueConstraint("election_id", "version", name=op.f("uq_ballot_definitions_election_id_version")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_ballot_definitions_fingerprint")),
    )
    op.create_table(
        "board_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_board_events_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_events")),
        sa.UniqueConstraint("election_id", "seq", name=op.f("uq_board_events_election_id_seq")),
        sa.UniqueConstraint("hash", name=op.f("uq_board_events_hash")),
    )
    op.create_table(
        "ceremony_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("complainant_index", sa.Integer(), nullable=False),
        sa.Column("accused_index", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_ceremony_complaints_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ceremony_complaints")),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("min_selections", sa.Integer(), nullable=False),
        sa.Column("max_selections", sa.Integer(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("pass_rule", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_questions_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("election_id", "position", name=op.f("uq_questions_election_id_position")),
    )
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_role_assignments_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignments")),
        sa.UniqueConstraint(
            "election_id", "username", "role", name=op.f("uq_role_assignments_election_id_username_role")
        ),
    )
    op.create_index(op.f("ix_role_assignments_username"), "role_assignments", ["username"], unique=False)
    op.create_table(
        "sealed_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("sender_index", sa.Integer(), nullable=False),
        sa.Column("recipient_index", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_sealed_shares_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_shares")),
        sa.UniqueConstraint(
            "election_id",
            "sender_index",
            "recipient_index",
            name=op.f("uq_sealed_shares_election_id_sender_index_recipient_index"),
        ),
    )
    op.create_table(
        "trustees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("trustee_index", sa.Integer(), nullable=False),
        sa.Column("encryption_key", sa.String(length=64), nullable=True),
        sa.Column("commitments", sa.JSON(), nullable=True),
        sa.Column("commitment_proofs", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_trustees_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trustees")),
        sa.UniqueConstraint(
            "election_id", "trustee_index", name=op.f("uq_trustees_election_id_trustee_index")
        ),
        sa.UniqueConstraint("election_id", "username", name=op.f("uq_trustees_election_id_username")),
    )
    op.create_table(
        "voters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_voters_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voters")),
        sa.UniqueConstraint("election_id", "username", name=op.f("uq_voters_election_id_username")),
    )
    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=64), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=False),
        sa.Column("tracker", sa.String(length=64), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("board_seq", sa.Integer(), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("struck", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_ballots_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voters.id"], name=op.f("fk_ballots_voter_id_voters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("tracker", name=op.f("uq_ballots_tracker")),
    )
    op.create_index("ix_ballots_election_credential", "ballots", ["election_id", "credential"], unique=False)
    op.create_index(op.f("ix_ballots_voter_id"), "ballots", ["voter_id"], unique=False)
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_candidates_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("question_id", "position", name=op.f("uq_candidates_question_id_position")),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_credentials_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voters.id"], name=op.f("fk_credentials_voter_id_voters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("election_id", "public_key", name=op.f("uq_credentials_election_id_public_key")),
        sa.UniqueConstraint("election_id", "voter_id", name=op.f("uq_credentials_election_id_voter_id")),
    )
    op.create_table(
        "voter_pii",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=64), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("forwarded_for", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("cookie_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_voter_pii_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_voter_pii_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voters.id"], name=op.f("fk_voter_pii_voter_id_voters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_pii")),
    )
    op.create_index(op.f("ix_voter_pii_voter_id"), "voter_pii", ["voter_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_voter_pii_voter_id"), table_name="voter_pii")
    op.drop_table("voter_pii")
    op.drop_table("credentials")
    op.drop_table("candidates")
    op.drop_index(op.f("ix_ballots_voter_id"), table_name="ballots")
    op.drop_index("ix_ballots_election_credential", table_name="ballots")
    op.drop_table("ballots")
    op.drop_table("voters")
    op.drop_table("trustees")
    op.drop_table("sealed_shares")
    op.drop_index(op.f("ix_role_assignments_username"), table_name="role_assignments")
    op.drop_table("role_assignments")
    op.drop_table("questions")
    op.drop_table("ceremony_complaints")
    op.drop_table("board_events")
    op.drop_table("ballot_definitions")
    op.drop_index(op.f("ix_elections_phase"), table_name="elections")
    op.drop_table("elections")
