"""The SQL that keeps the ledger append-only and every sealed entry balanced.

Written once per backend (SQLite and PostgreSQL) and installed by the ledger's
migration. An entry is inserted open, its lines are added, then it is sealed;
sealing is refused unless its lines sum to zero. Lines are never updated or
deleted, a sealed entry never changes and takes no more lines, and no entry is
deleted.
"""

SQLITE = [
    """CREATE TRIGGER ledger_line_no_update BEFORE UPDATE ON ledger_line
       BEGIN SELECT RAISE(ABORT, 'ledger lines are append-only'); END""",
    """CREATE TRIGGER ledger_line_no_delete BEFORE DELETE ON ledger_line
       BEGIN SELECT RAISE(ABORT, 'ledger lines are append-only'); END""",
    """CREATE TRIGGER ledger_line_only_into_open_entry BEFORE INSERT ON ledger_line
       WHEN COALESCE((SELECT sealed FROM ledger_entry WHERE id = NEW.entry_id), 1)
       BEGIN SELECT RAISE(ABORT, 'a sealed ledger entry takes no more lines'); END""",
    """CREATE TRIGGER ledger_entry_inserted_open BEFORE INSERT ON ledger_entry
       WHEN NEW.sealed
       BEGIN SELECT RAISE(ABORT, 'a ledger entry is written open, then sealed'); END""",
    """CREATE TRIGGER ledger_entry_sealed_once BEFORE UPDATE ON ledger_entry
       WHEN OLD.sealed OR NOT NEW.sealed
         OR NEW.id IS NOT OLD.id OR NEW.group_id IS NOT OLD.group_id OR NEW.cycle_id IS NOT OLD.cycle_id
         OR NEW.kind IS NOT OLD.kind OR NEW.method IS NOT OLD.method OR NEW.memo IS NOT OLD.memo
         OR NEW.source IS NOT OLD.source OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.key IS NOT OLD.key
         OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by_id IS NOT OLD.created_by_id
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER ledger_entry_sealed_balanced BEFORE UPDATE ON ledger_entry
       WHEN (SELECT COUNT(*) FROM ledger_line WHERE entry_id = NEW.id) = 0
         OR (SELECT SUM(amount_cents) FROM ledger_line WHERE entry_id = NEW.id) != 0
       BEGIN SELECT RAISE(ABORT, 'a ledger entry must balance to the cent'); END""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
]

SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_line_no_update",
        "ledger_line_no_delete",
        "ledger_line_only_into_open_entry",
        "ledger_entry_inserted_open",
        "ledger_entry_sealed_once",
        "ledger_entry_sealed_balanced",
        "ledger_entry_no_delete",
    )
]

POSTGRESQL = [
    """CREATE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger rows are append-only' USING ERRCODE = '23000'; END $$""",
    """CREATE FUNCTION ledger_line_check_open() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF COALESCE((SELECT sealed FROM ledger_entry WHERE id = NEW.entry_id), true) THEN
           RAISE EXCEPTION 'a sealed ledger entry takes no more lines' USING ERRCODE = '23000';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION ledger_entry_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.sealed THEN
           RAISE EXCEPTION 'a ledger entry is written open, then sealed' USING ERRCODE = '23000';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION ledger_entry_check_seal() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF OLD.sealed OR NOT NEW.sealed
            OR (to_jsonb(NEW) - 'sealed') IS DISTINCT FROM (to_jsonb(OLD) - 'sealed') THEN
           RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = '23000';
         END IF;
         IF (SELECT COUNT(*) FROM ledger_line WHERE entry_id = NEW.id) = 0
            OR (SELECT SUM(amount_cents) FROM ledger_line WHERE entry_id = NEW.id) <> 0 THEN
           RAISE EXCEPTION 'a ledger entry must balance to the cent' USING ERRCODE = '23000';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_line_append_only BEFORE UPDATE OR DELETE ON ledger_line
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse()""",
    """CREATE TRIGGER ledger_line_only_into_open_entry BEFORE INSERT ON ledger_line
       FOR EACH ROW EXECUTE FUNCTION ledger_line_check_open()""",
    """CREATE TRIGGER ledger_entry_inserted_open BEFORE INSERT ON ledger_entry
       FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_insert()""",
    """CREATE TRIGGER ledger_entry_sealed_once BEFORE UPDATE ON ledger_entry
       FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_seal()""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse()""",
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_line_append_only ON ledger_line",
    "DROP TRIGGER IF EXISTS ledger_line_only_into_open_entry ON ledger_line",
    "DROP TRIGGER IF EXISTS ledger_entry_inserted_open ON ledger_entry",
    "DROP TRIGGER IF EXISTS ledger_entry_sealed_once ON ledger_entry",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_refuse()",
    "DROP FUNCTION IF EXISTS ledger_line_check_open()",
    "DROP FUNCTION IF EXISTS ledger_entry_check_insert()",
    "DROP FUNCTION IF EXISTS ledger_entry_check_seal()",
]
