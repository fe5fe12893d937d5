// Unit tests for compiler/sqlgen: exact DDL for hand-built model catalogs.
//
// Whole-script expectations are raw strings delimited by R"sql(...)sql" so that they can be pulled
// out of this file and run through psql against a scratch PostgreSQL 15 (they are valid scripts).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/model/model.h"
#include "compiler/sqlgen/render.h"
#include "compiler/sqlgen/sqlgen.h"

namespace schemac::sqlgen {
namespace {

using model::ObjectId;
using model::ObjectKind;
using model::QualifiedName;

// ---- small model builders ------------------------------------------------------------------------

model::TypeName Builtin(std::string name, std::string modifiers = "", int array_dims = 0) {
  return {"pg_catalog", std::move(name), std::move(modifiers), array_dims};
}

model::TypeName UserType(std::string schema, std::string name) {
  return {std::move(schema), std::move(name), "", 0};
}

model::Expr Sql(std::string text) { return model::Expr{std::move(text), {}}; }

model::Column Col(std::string name, model::TypeName type, bool not_null = false) {
  model::Column column;
  column.name = std::move(name);
  column.type = std::move(type);
  column.not_null = not_null;
  return column;
}

model::Column WithDefault(model::Column column, std::string text) {
  column.default_expr = Sql(std::move(text));
  return column;
}

model::Constraint PrimaryKey(std::string name, std::vector<std::string> columns) {
  model::Constraint constraint;
  constraint.kind = model::ConstraintKind::PrimaryKey;
  constraint.name = std::move(name);
  constraint.columns = std::move(columns);
  return constraint;
}

model::Constraint Unique(std::string name, std::vector<std::string> columns) {
  model::Constraint constraint = PrimaryKey(std::move(name), std::move(columns));
  constraint.kind = model::ConstraintKind::Unique;
  return constraint;
}

model::Constraint ForeignKey(std::string name, std::vector<std::string> columns, QualifiedName ref,
                             std::vector<std::string> ref_columns) {
  model::Constraint constraint;
  constraint.kind = model::ConstraintKind::ForeignKey;
  constraint.name = std::move(name);
  constraint.columns = std::move(columns);
  constraint.ref_table = std::move(ref);
  constraint.ref_columns = std::move(ref_columns);
  constraint.match = "simple";
  return constraint;
}

model::Constraint Check(std::string name, std::string expression) {
  model::Constraint constraint;
  constraint.kind = model::ConstraintKind::Check;
  constraint.name = std::move(name);
  constraint.expression = Sql(std::move(expression));
  return constraint;
}

model::IndexElement ColumnElement(std::string column) {
  model::IndexElement element;
  element.expression = std::move(column);
  element.is_column = true;
  return element;
}

model::IndexElement ExprElement(std::string expression) {
  model::IndexElement element;
  element.expression = std::move(expression);
  return element;
}

model::Table MakeTable(QualifiedName name, std::vector<model::Column> columns,
                       std::vector<model::Constraint> constraints = {}) {
  model::Table table;
  table.name = std::move(name);
  table.columns = std::move(columns);
  table.constraints = std::move(constraints);
  return table;
}

model::View MakeView(QualifiedName name, std::string query, std::vector<ObjectId> deps) {
  model::View view;
  view.name = std::move(name);
  view.query = Sql(std::move(query));
  view.deps = std::move(deps);
  return view;
}

model::Grant MakeGrant(ObjectKind kind, QualifiedName object, std::string privilege,
                       std::string grantee) {
  model::Grant grant;
  grant.object_kind = kind;
  grant.object = std::move(object);
  grant.privilege = std::move(privilege);
  grant.grantee = std::move(grantee);
  return grant;
}

ObjectId Dep(ObjectKind kind, std::string schema, std::string name) {
  return ObjectId{kind, {std::move(schema), std::move(name)}};
}

// Index of `needle` in `haystack`; fails the test when it is missing.
size_t PositionOf(const std::string& haystack, const std::string& needle) {
  size_t position = haystack.find(needle);
  INFO("looking for: " << needle);
  REQUIRE(position != std::string::npos);
  return position;
}

// ---- tests -------------------------------------------------------------------------------------

TEST_CASE("a table with every column option", "[sqlgen]") {
  model::Column id = Col("id", Builtin("bigint"), true);
  id.identity = model::IdentityKind::Always;
  id.identity_params = model::SequenceParams{Builtin("bigint")};  // all defaults: no options
  model::Column code = WithDefault(Col("code", Builtin("text"), true), "'none'");
  code.collation = "C";
  model::Column created = WithDefault(
      Col("created_at", Builtin("timestamp with time zone", "(3)"), true), "now()");
  model::Column search = Col("search", Builtin("tsvector"));
  search.generated = Sql("to_tsvector('simple', code)");
  model::Column label = Col("Label", Builtin("character varying", "(20)"));
  label.collation = "pg_catalog.default";
  model::Column n = WithDefault(Col("n", Builtin("bigint"), true), "nextval('items_n_seq')");
  n.serial = "bigserial";

  model::Constraint unique = Unique("items_code_key", {"code"});
  unique.include = {"price"};
  unique.nulls_not_distinct = true;
  model::Constraint price_check = Check("items_price_check", " price >= 0 ");
  price_check.no_inherit = true;
  model::Constraint exclude;
  exclude.kind = model::ConstraintKind::Exclude;
  exclude.name = "no_overlap";
  exclude.using_method = "gist";
  exclude.elements = {ColumnElement("code"), ExprElement("tstzrange(created_at, created_at, '[]')")};
  exclude.elements[0].exclude_operator = "=";
  exclude.elements[1].exclude_operator = "&&";
  exclude.expression = Sql("price > 0");
  exclude.deferral = model::Deferral::InitiallyDeferred;

  model::Table table = MakeTable(
      {"public", "items"},
      {id, code, WithDefault(Col("price", Builtin("numeric", "(12,2)")), "0"), created, search,
       WithDefault(Col("tags", Builtin("text", "", 1)), "'{}'::text[]"),
       WithDefault(Col("due", Builtin("date")), "current_date + 7"), label, n,
       WithDefault(Col("status", UserType("billing", "Status")), "'new'")},
      {unique, PrimaryKey("items_pkey", {"id"}), price_check, exclude});

  CHECK(CreateTable(table, true) == R"(CREATE TABLE public.items (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  code text COLLATE "C" DEFAULT 'none' NOT NULL,
  price numeric(12,2) DEFAULT 0,
  created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', code)) STORED,
  tags text[] DEFAULT '{}'::text[],
  due date DEFAULT (current_date + 7),
  "Label" character varying(20) COLLATE pg_catalog."default",
  n bigserial,
  status billing."Status" DEFAULT 'new',
  CONSTRAINT items_code_key UNIQUE NULLS NOT DISTINCT (code) INCLUDE (price),
  CONSTRAINT items_pkey PRIMARY KEY (id),
  CONSTRAINT items_price_check CHECK (price >= 0) NO INHERIT,
  CONSTRAINT no_overlap EXCLUDE USING gist (code WITH =, (tstzrange(created_at, created_at, '[]')) WITH &&) WHERE (price > 0) DEFERRABLE INITIALLY DEFERRED
);)");
}

TEST_CASE("foreign keys inline or left out, unlogged tables", "[sqlgen]") {
  model::Constraint fk = ForeignKey("t_parent_fkey", {"parent"}, {"public", "t"}, {"id"});
  fk.on_delete = model::FkAction::SetNull;
  fk.on_delete_set_columns = {"parent"};
  fk.on_update = model::FkAction::Cascade;
  fk.match = "full";
  fk.deferral = model::Deferral::InitiallyImmediate;
  model::Table table = MakeTable({"public", "t"}, {Col("id", Builtin("integer")),
                                                   Col("parent", Builtin("integer"))},
                                 {PrimaryKey("t_pkey", {"id"}), fk});
  table.unlogged = true;
  CHECK(CreateTable(table, false) == R"(CREATE UNLOGGED TABLE public.t (
  id integer,
  parent integer,
  CONSTRAINT t_pkey PRIMARY KEY (id)
);)");
  CHECK(AddConstraint(table.name, fk) ==
        "ALTER TABLE public.t ADD CONSTRAINT t_parent_fkey FOREIGN KEY (parent) REFERENCES "
        "public.t (id) MATCH FULL ON DELETE SET NULL (parent) ON UPDATE CASCADE DEFERRABLE;");
}

TEST_CASE("identity and sequence options are written only where they differ", "[sqlgen]") {
  model::Column up = Col("id", Builtin("integer"), true);
  up.identity = model::IdentityKind::ByDefault;
  up.identity_params =
      model::SequenceParams{Builtin("integer"), 100, 10, 1, 2147483647, 20, false};
  CHECK(ColumnDefinition(up) ==
        "id integer GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 10 START WITH 100 CACHE 20) "
        "NOT NULL");

  // A descending smallint sequence with PostgreSQL's defaults for that direction: only INCREMENT.
  model::Column down = Col("id", Builtin("smallint"));
  down.identity = model::IdentityKind::Always;
  down.identity_params = model::SequenceParams{Builtin("smallint"), -1, -1, -32768, -1, 1, false};
  CHECK(ColumnDefinition(down) == "id smallint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1)");

  // With no type in the parameters the column's type decides the defaults (integer max here).
  model::Column typed = Col("id", Builtin("integer"));
  typed.identity = model::IdentityKind::Always;
  typed.identity_params = model::SequenceParams{{}, 1, 1, 1, 2147483647, 1, true};
  CHECK(ColumnDefinition(typed) == "id integer GENERATED ALWAYS AS IDENTITY (CYCLE)");

  model::Sequence sequence;
  sequence.name = {"public", "s"};
  sequence.params = model::SequenceParams{Builtin("integer"), 10, 1, 10, 2147483647, 1, false};
  CHECK(CreateSequence(sequence) == "CREATE SEQUENCE public.s AS integer MINVALUE 10;");
  sequence.params = model::SequenceParams{Builtin("bigint"), 1, 1, 1, 1000, 5, false};
  CHECK(CreateSequence(sequence) == "CREATE SEQUENCE public.s MAXVALUE 1000 CACHE 5;");
}

TEST_CASE("a foreign key cycle is closed with ALTER TABLE after the tables", "[sqlgen]") {
  model::Catalog catalog;
  model::Constraint b_to_a = ForeignKey("b_a_id_fkey", {"a_id"}, {"public", "a"}, {"id"});
  b_to_a.on_delete = model::FkAction::Cascade;
  catalog.tables = {
      MakeTable({"public", "a"}, {Col("id", Builtin("bigint"), true), Col("b_id", Builtin("bigint"))},
                {ForeignKey("a_b_id_fkey", {"b_id"}, {"public", "b"}, {"id"}),
                 PrimaryKey("a_pkey", {"id"})}),
      MakeTable({"public", "b"}, {Col("id", Builtin("bigint"), true), Col("a_id", Builtin("bigint"))},
                {b_to_a, PrimaryKey("b_pkey", {"id"})}),
  };
  catalog.tables[0].deps = {Dep(ObjectKind::Table, "public", "b")};
  catalog.tables[1].deps = {Dep(ObjectKind::Table, "public", "a")};

  CHECK(CreateAll(catalog) == R"sql(-- schemac: create from empty

CREATE TABLE public.a (
  id bigint NOT NULL,
  b_id bigint,
  CONSTRAINT a_pkey PRIMARY KEY (id)
);

CREATE TABLE public.b (
  id bigint NOT NULL,
  a_id bigint,
  CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES public.a (id) ON DELETE CASCADE,
  CONSTRAINT b_pkey PRIMARY KEY (id)
);

ALTER TABLE public.a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) REFERENCES public.b (id);
)sql");
}

TEST_CASE("a referenced table is created first when there is no cycle", "[sqlgen]") {
  model::Catalog catalog;
  // billing.invoices sorts before public.orders but references it.
  catalog.schemas = {{"billing", {}, {}, {}}, {"public", {}, {}, {}}};
  catalog.tables = {
      MakeTable({"billing", "invoices"}, {Col("order_id", Builtin("bigint"))},
                {ForeignKey("invoices_order_id_fkey", {"order_id"}, {"public", "orders"}, {})}),
      MakeTable({"public", "orders"}, {Col("id", Builtin("bigint"), true)},
                {PrimaryKey("orders_pkey", {"id"})}),
  };
  std::string sql = CreateAll(catalog);
  CHECK(PositionOf(sql, "CREATE TABLE public.orders") <
        PositionOf(sql, "CREATE TABLE billing.invoices"));
  CHECK(PositionOf(sql, "CREATE SCHEMA billing;") < PositionOf(sql, "CREATE TABLE public.orders"));
  CHECK(sql.find("CREATE SCHEMA public") == std::string::npos);
  CHECK(sql.find("ALTER TABLE") == std::string::npos);
  PositionOf(sql, "CONSTRAINT invoices_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders\n");
}

TEST_CASE("partitions come after their parent and list only their own constraints", "[sqlgen]") {
  model::Catalog catalog;
  model::Table parent = MakeTable(
      {"public", "events"},
      {Col("at", Builtin("timestamp with time zone"), true), Col("payload", Builtin("jsonb"))});
  parent.partition_strategy = model::PartitionStrategy::Range;
  parent.partition_keys = {ColumnElement("at")};
  model::Table y2026 = MakeTable({"public", "a_events_2026"}, {});
  y2026.partition_of = parent.name;
  y2026.partition_bound = Sql("from ('2026-01-01') to ('2027-01-01')");
  model::Table other = MakeTable({"public", "a_events_default"}, parent.columns);
  other.partition_of = parent.name;
  other.partition_default = true;
  model::Table y2027 = MakeTable({"public", "b_events_2027"}, parent.columns,
                                 {Check("b_events_2027_payload_check", "payload IS NOT NULL")});
  y2027.partition_of = parent.name;
  y2027.partition_bound = Sql("FROM ('2027-01-01') TO ('2028-01-01')");
  y2027.deps = {Dep(ObjectKind::Table, "public", "events")};
  catalog.tables = {y2026, other, y2027, parent};

  CHECK(CreateAll(catalog) == R"sql(-- schemac: create from empty

CREATE TABLE public.events (
  at timestamp with time zone NOT NULL,
  payload jsonb
) PARTITION BY RANGE (at);

CREATE TABLE public.a_events_2026 PARTITION OF public.events FOR VALUES from ('2026-01-01') to ('2027-01-01');

CREATE TABLE public.a_events_default PARTITION OF public.events DEFAULT;

CREATE TABLE public.b_events_2027 PARTITION OF public.events (
  CONSTRAINT b_events_2027_payload_check CHECK (payload IS NOT NULL)
) FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
)sql");
}

TEST_CASE("views follow the views and tables they read, indexes follow their relation", "[sqlgen]") {
  model::Catalog catalog;
  catalog.tables = {MakeTable({"public", "t"}, {Col("id", Builtin("integer")),
                                                Col("name", Builtin("text"))})};
  model::View summary = MakeView({"public", "a_summary"}, "select id from public.z_base;  \n",
                                 {Dep(ObjectKind::View, "public", "z_base")});
  summary.column_names = {"ident"};
  summary.options = {{"security_barrier", "true"}};
  summary.check_option = "cascaded";
  model::View base = MakeView({"public", "z_base"}, "\n  select id, name from public.t\n",
                              {Dep(ObjectKind::Table, "public", "t")});
  model::View counts = MakeView({"public", "m"}, "select count(*) from public.a_summary -- all",
                                {Dep(ObjectKind::View, "public", "a_summary")});
  counts.materialized = true;
  catalog.views = {summary, counts, base};
  model::Index on_view;
  on_view.name = {"public", "m_count"};
  on_view.table = {"public", "m"};
  on_view.elements = {ColumnElement("count")};
  model::Index on_table;
  on_table.name = {"public", "t_lower_name"};
  on_table.table = {"public", "t"};
  on_table.elements = {ExprElement("lower(name)")};
  catalog.indexes = {on_view, on_table};

  CHECK(CreateAll(catalog) == R"sql(-- schemac: create from empty

CREATE TABLE public.t (
  id integer,
  name text
);

CREATE INDEX t_lower_name ON public.t ((lower(name)));

CREATE VIEW public.z_base AS
select id, name from public.t;

CREATE VIEW public.a_summary (ident) WITH (security_barrier=true) AS
select id from public.z_base
WITH CASCADED CHECK OPTION;

CREATE MATERIALIZED VIEW public.m AS
select count(*) from public.a_summary -- all
;

CREATE INDEX m_count ON public.m (count);
)sql");
}

TEST_CASE("embedded SQL gets a newline only when it ends inside a -- comment", "[sqlgen]") {
  CHECK(ExprSql("a -- note") == "a -- note\n");
  CHECK(ExprSql("  a -- note\n+ b  ") == "a -- note\n+ b");
  CHECK(ExprSql("$1 -- the first argument") == "$1 -- the first argument\n");
  CHECK(ExprSql("x /* a */ -- b") == "x /* a */ -- b\n");
  // A `--` inside a string, a quoted name, a dollar quote or a block comment is no comment.
  CHECK(ExprSql("'--x'::text") == "'--x'::text");
  CHECK(ExprSql("E'it\\'s --'") == "E'it\\'s --'");
  CHECK(ExprSql("'it''s --'") == "'it''s --'");
  CHECK(ExprSql("\"a--b\" + 1") == "\"a--b\" + 1");
  CHECK(ExprSql("$f$ -- $f$ || $$--$$") == "$f$ -- $f$ || $$--$$");
  CHECK(ExprSql("/* -- */ x") == "/* -- */ x");
  CHECK(DefaultExprSql("'--x'::text COLLATE \"C\"") == "('--x'::text COLLATE \"C\")");
}

TEST_CASE("a dependency cycle between views falls back to name order", "[sqlgen]") {
  model::Catalog catalog;
  catalog.views = {MakeView({"public", "v2"}, "select 2", {Dep(ObjectKind::View, "public", "v1")}),
                   MakeView({"public", "v1"}, "select 1", {Dep(ObjectKind::View, "public", "v2")})};
  std::string sql = CreateAll(catalog);
  CHECK(PositionOf(sql, "CREATE VIEW public.v1") < PositionOf(sql, "CREATE VIEW public.v2"));
}

TEST_CASE("functions get a dollar quote their body does not contain", "[sqlgen]") {
  CHECK(DollarQuote("select 1") == "$$select 1$$");
  CHECK(DollarQuote("select $$x$$") == "$body$select $$x$$$body$");
  CHECK(DollarQuote("$$ and $body$") == "$body1$$$ and $body$$body1$");
  // `$$` after a body ending in `$` would close one character early.
  CHECK(DollarQuote("select 'a$'") == "$$select 'a$'$$");
  CHECK(DollarQuote("x$") == "$body$x$$body$");

  model::Function add;
  add.name = {"public", "add"};
  add.args = {{model::ArgMode::In, "a", Builtin("integer"), {}},
              {model::ArgMode::In, "b", Builtin("integer"), Sql("1")}};
  add.returns = Builtin("integer");
  add.language = "sql";
  add.body = Sql("select a + b -- $$ is not the end");
  add.volatility = "immutable";
  add.strict = true;
  add.parallel = "safe";
  add.cost = "100";
  CHECK(CreateFunction(add) == R"(CREATE FUNCTION public.add(a integer, b integer DEFAULT 1) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $body$select a + b -- $$ is not the end$body$;)");

  model::Function list;
  list.name = {"app", "list"};
  list.args = {{model::ArgMode::Variadic, "ids", Builtin("integer", "", 1), {}}};
  list.returns = UserType("public", "items");
  list.returns_setof = true;
  list.language = "plpgsql";
  list.body = Sql("\nbegin return query select * from public.items; end\n");
  list.volatility = "stable";
  list.security_definer = true;
  list.rows = "10";
  list.cost = "5";
  list.set_options = {{"search_path", "pg_catalog, public"}};
  CHECK(CreateFunction(list) == R"(CREATE FUNCTION app.list(VARIADIC ids integer[]) RETURNS SETOF public.items
  LANGUAGE plpgsql STABLE SECURITY DEFINER COST 5 ROWS 10
  SET search_path = pg_catalog, public
  AS $$
begin return query select * from public.items; end
$$;)");

  model::Function cleanup;
  cleanup.name = {"public", "cleanup"};
  cleanup.is_procedure = true;
  cleanup.args = {{model::ArgMode::InOut, "days", Builtin("integer"), {}}};
  cleanup.language = "plpgsql";
  cleanup.volatility = "stable";  // not an attribute of procedures: left out
  cleanup.body = Sql("begin end");
  CHECK(CreateFunction(cleanup) == R"(CREATE PROCEDURE public.cleanup(INOUT days integer)
  LANGUAGE plpgsql
  AS $$begin end$$;)");

  model::Function table_fn;
  table_fn.name = {"public", "pairs"};
  table_fn.returns_table = {{model::ArgMode::Out, "id", Builtin("bigint"), {}},
                            {model::ArgMode::Out, "Name", Builtin("text"), {}}};
  table_fn.language = "sql";
  table_fn.body = Sql("RETURN 1");  // not valid for RETURNS TABLE, but shows the unquoted form
  CHECK(CreateFunction(table_fn) == R"(CREATE FUNCTION public.pairs() RETURNS TABLE (id bigint, "Name" text)
  LANGUAGE sql
  RETURN 1;)");
}

TEST_CASE("triggers and policies", "[sqlgen]") {
  model::Trigger trigger;
  trigger.name = "audit";
  trigger.table = {"public", "t"};
  trigger.timing = model::TriggerTiming::After;
  trigger.events = {"update"};
  trigger.referencing_old = "old_rows";
  trigger.referencing_new = "new_rows";
  trigger.when = Sql("pg_trigger_depth() = 0");
  trigger.function = {"audit", "log"};
  trigger.args = {"'t'", "42"};
  CHECK(CreateTrigger(trigger) ==
        "CREATE TRIGGER audit AFTER UPDATE ON public.t REFERENCING OLD TABLE AS old_rows NEW TABLE "
        "AS new_rows FOR EACH STATEMENT WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION "
        "audit.log('t', 42);");
  trigger.constraint_trigger = true;
  trigger.events = {"insert", "delete", "update"};
  trigger.update_columns = {"a", "Status"};
  trigger.referencing_old.reset();
  trigger.referencing_new.reset();
  trigger.for_each_row = true;
  trigger.deferral = model::Deferral::InitiallyDeferred;
  trigger.when.reset();
  trigger.args.clear();
  CHECK(CreateTrigger(trigger) ==
        "CREATE CONSTRAINT TRIGGER audit AFTER INSERT OR DELETE OR UPDATE OF a, \"Status\" ON "
        "public.t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit.log();");

  model::Policy policy;
  policy.name = "own";
  policy.table = {"public", "t"};
  policy.roles = {"public"};
  policy.using_expr = Sql("owner = current_user");
  CHECK(CreatePolicy(policy) == "CREATE POLICY own ON public.t USING (owner = current_user);");
  policy.permissive = false;
  policy.command = "update";
  policy.roles = {"Admins", "app_user"};
  policy.with_check = Sql("true");
  CHECK(CreatePolicy(policy) ==
        "CREATE POLICY own ON public.t AS RESTRICTIVE FOR UPDATE TO \"Admins\", app_user USING "
        "(owner = current_user) WITH CHECK (true);");
}

TEST_CASE("grants are grouped by object, grantee and grant option", "[sqlgen]") {
  QualifiedName orders{"public", "orders"};
  std::vector<model::Grant> grants = {
      MakeGrant(ObjectKind::Schema, {"", "billing"}, "USAGE", "app_user"),
      MakeGrant(ObjectKind::Table, orders, "SELECT", "app_user"),
      MakeGrant(ObjectKind::Table, orders, "INSERT", "app_user"),
      MakeGrant(ObjectKind::Table, orders, "UPDATE", "app_user"),
      MakeGrant(ObjectKind::Table, orders, "SELECT", "reporting"),
      MakeGrant(ObjectKind::Table, orders, "SELECT", "public"),
      MakeGrant(ObjectKind::Function, {"public", "touch()"}, "EXECUTE", "app_user"),
  };
  grants[3].column = "note";
  grants.push_back(grants[3]);
  grants.back().column = "Status";
  grants[4].with_grant_option = true;

  std::vector<std::string> statements = GrantStatements(grants);
  std::vector<std::string> expected = {
      "GRANT USAGE ON SCHEMA billing TO app_user;",
      "GRANT INSERT, SELECT, UPDATE (\"Status\", note) ON TABLE public.orders TO app_user;",
      "GRANT SELECT ON TABLE public.orders TO PUBLIC;",
      "GRANT SELECT ON TABLE public.orders TO reporting WITH GRANT OPTION;",
      "GRANT EXECUTE ON FUNCTION public.touch() TO app_user;",
  };
  CHECK(statements == expected);

  // In a catalog, a grant on a sequence recorded as kind Table is written ON SEQUENCE.
  model::Catalog catalog;
  catalog.sequences = {model::Sequence{{"public", "order_no"}, {Builtin("bigint")}, {}, {}, {},
                                       {}, {}}};
  catalog.grants = {MakeGrant(ObjectKind::Table, {"public", "order_no"}, "USAGE", "app_user")};
  PositionOf(CreateAll(catalog), "\nGRANT USAGE ON SEQUENCE public.order_no TO app_user;\n");
}

TEST_CASE("reserved and upper-case identifiers are quoted", "[sqlgen]") {
  model::Table table = MakeTable(
      {"Sales", "user"},
      {Col("select", Builtin("integer"), true), Col("Name", Builtin("text")),
       Col("from", Builtin("text")), Col("plain_name", Builtin("text"))},
      {Check("check", "\"select\" > 0"), PrimaryKey("user_Pkey", {"select"})});
  CHECK(CreateTable(table, true) == R"(CREATE TABLE "Sales"."user" (
  "select" integer NOT NULL,
  "Name" text,
  "from" text,
  plain_name text,
  CONSTRAINT "check" CHECK ("select" > 0),
  CONSTRAINT "user_Pkey" PRIMARY KEY ("select")
);)");

  model::Index index;
  index.name = {"Sales", "Idx"};
  index.table = table.name;
  index.unique = true;
  index.elements = {ColumnElement("Name"), ExprElement("lower(\"from\")")};
  index.elements[0].descending = true;
  index.elements[0].nulls_first = false;
  index.elements[1].collation = "C";
  index.elements[1].opclass = QualifiedName{"pg_catalog", "text_pattern_ops"};
  index.elements[1].nulls_first = false;  // the default for ASC: not written
  index.include = {"plain_name"};
  index.nulls_not_distinct = true;
  index.where = Sql("\"select\" > 10");
  CHECK(CreateIndex(index) ==
        "CREATE UNIQUE INDEX \"Idx\" ON \"Sales\".\"user\" (\"Name\" DESC NULLS LAST, "
        "(lower(\"from\")) COLLATE \"C\" pg_catalog.text_pattern_ops) INCLUDE (plain_name) "
        "NULLS NOT DISTINCT WHERE (\"select\" > 10);");
  index.method = "hash";
  index.unique = false;
  index.elements = {ColumnElement("Name")};
  index.include.clear();
  index.nulls_not_distinct = false;
  index.where.reset();
  CHECK(CreateIndex(index) == "CREATE INDEX \"Idx\" ON \"Sales\".\"user\" USING hash (\"Name\");");

  model::Schema schema{"Sales", "it's", {}, {}};
  CHECK(CreateSchema(schema) == "CREATE SCHEMA \"Sales\";");
  CHECK(CommentOnSchema(schema) == "COMMENT ON SCHEMA \"Sales\" IS 'it''s';");
  table.columns[1].comment = "the \"name\"";
  CHECK(CommentOnColumn(table, table.columns[1]) ==
        "COMMENT ON COLUMN \"Sales\".\"user\".\"Name\" IS 'the \"name\"';");
  CHECK(CommentOnConstraint(table, table.constraints[0]) ==
        "COMMENT ON CONSTRAINT \"check\" ON \"Sales\".\"user\" IS NULL;");

  model::Extension extension{"uuid-ossp", "Sales", "1.1", {}, {}};
  CHECK(CreateExtension(extension) ==
        "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" SCHEMA \"Sales\" VERSION '1.1';");
}

TEST_CASE("types, domains and composites", "[sqlgen]") {
  model::Enum status{{"public", "Status"}, {"new", "it's done"}, {}, {}, {}};
  CHECK(CreateEnum(status) == "CREATE TYPE public.\"Status\" AS ENUM ('new', 'it''s done');");

  model::Domain domain;
  domain.name = {"public", "email"};
  domain.base_type = UserType("public", "citext");
  domain.collation = "C";
  domain.default_expr = Sql("'nobody@example.com'");
  domain.not_null = true;
  domain.checks = {{"email_check", false, Sql("VALUE ~ '@'")},
                   {"email_length", true, Sql("length(VALUE) < 255")}};
  CHECK(CreateDomain(domain) == R"(CREATE DOMAIN public.email AS public.citext COLLATE "C" DEFAULT 'nobody@example.com' NOT NULL
  CONSTRAINT email_check CHECK (VALUE ~ '@')
  CONSTRAINT email_length CHECK (length(VALUE) < 255);)");

  model::CompositeType money;
  money.name = {"billing", "money_amount"};
  money.fields = {{"amount", Builtin("numeric", "(12,2)"), {}},
                  {"currency", Builtin("character", "(3)"), "C"}};
  CHECK(CreateCompositeType(money) == R"(CREATE TYPE billing.money_amount AS (
  amount numeric(12,2),
  currency character(3) COLLATE "C"
);)");
}

// A small but complete schema: every section of the script, in dependency order.
model::Catalog ShopCatalog() {
  model::Catalog c;
  c.extensions = {{"pgcrypto", {}, {}, {}, {}}, {"btree_gist", {}, {}, "for exclusion", {}}};
  c.schemas = {{"billing", {}, {}, {}}, {"public", "standard public schema", {}, {}}};
  c.enums = {{{"public", "order_status"}, {"pending", "paid", "shipped", "cancelled"}, {}, {}, {}}};
  model::Domain cents;
  cents.name = {"public", "positive_cents"};
  cents.base_type = Builtin("integer");
  cents.checks = {{"positive_cents_check", false, Sql("VALUE >= 0")}};
  c.domains = {cents};
  model::CompositeType money;
  money.name = {"billing", "money_amount"};
  money.fields = {{"amount", Builtin("numeric", "(12,2)"), {}},
                  {"currency", Builtin("character", "(3)"), {}}};
  c.composite_types = {money};
  model::Sequence invoice_no{{"billing", "invoice_no"}, {Builtin("bigint"), 1000}, {}, {}, {}, {},
                             {}};
  invoice_no.owned_by_table = QualifiedName{"billing", "invoices"};
  invoice_no.owned_by_column = "no";
  c.sequences = {invoice_no};

  model::Function count;
  count.name = {"public", "customer_count"};
  count.returns = Builtin("bigint");
  count.language = "sql";
  count.volatility = "stable";
  count.body = Sql("select count(*) from public.customers");
  count.deps = {Dep(ObjectKind::Table, "public", "customers")};
  model::Function status;
  status.name = {"public", "default_status"};
  status.returns = UserType("public", "order_status");
  status.language = "sql";
  status.volatility = "immutable";
  status.body = Sql("select 'pending'::public.order_status");
  status.deps = {Dep(ObjectKind::Enum, "public", "order_status")};
  model::Function touch;
  touch.name = {"public", "touch"};
  touch.returns = Builtin("trigger");
  touch.language = "plpgsql";
  touch.body = Sql("\nbegin new.updated_at := now(); return new; end\n");
  touch.comment = "keeps updated_at current";
  c.functions = {count, status, touch};

  model::Column id = Col("id", Builtin("bigint"), true);
  id.identity = model::IdentityKind::Always;
  id.identity_params = model::SequenceParams{Builtin("bigint")};
  model::Table customers = MakeTable(
      {"public", "customers"},
      {id, Col("email", Builtin("text"), true), Col("updated_at", Builtin("timestamp with time zone"))},
      {Unique("customers_email_key", {"email"}), PrimaryKey("customers_pkey", {"id"})});
  customers.comment = "People who buy things";
  customers.columns[1].comment = "login, unique";
  model::Constraint orders_fk =
      ForeignKey("orders_customer_id_fkey", {"customer_id"}, {"public", "customers"}, {"id"});
  orders_fk.on_delete = model::FkAction::Cascade;
  model::Constraint excl;
  excl.kind = model::ConstraintKind::Exclude;
  excl.name = "orders_customer_id_period_excl";
  excl.using_method = "gist";
  excl.elements = {ColumnElement("customer_id"), ColumnElement("period")};
  excl.elements[0].exclude_operator = "=";
  excl.elements[1].exclude_operator = "&&";
  model::Table orders = MakeTable(
      {"public", "orders"},
      {WithDefault(Col("id", Builtin("uuid"), true), "gen_random_uuid()"),
       Col("customer_id", Builtin("bigint"), true),
       WithDefault(Col("status", UserType("public", "order_status"), true), "public.default_status()"),
       Col("total_cents", UserType("public", "positive_cents"), true),
       Col("placed_at", Builtin("timestamp with time zone")), Col("period", Builtin("tstzrange"))},
      {orders_fk, excl, PrimaryKey("orders_pkey", {"id"}),
       Check("orders_placed_when_paid", "status = 'pending' or placed_at is not null")});
  orders.deps = {Dep(ObjectKind::Enum, "public", "order_status"),
                 Dep(ObjectKind::Domain, "public", "positive_cents"),
                 Dep(ObjectKind::Function, "public", "default_status()"),
                 Dep(ObjectKind::Table, "public", "customers")};
  orders.rls_enabled = true;
  model::Table invoices = MakeTable(
      {"billing", "invoices"},
      {WithDefault(Col("no", Builtin("bigint"), true), "nextval('billing.invoice_no'::regclass)"),
       Col("order_id", Builtin("uuid"), true),
       Col("amount", UserType("billing", "money_amount"), true)},
      {ForeignKey("invoices_order_id_fkey", {"order_id"}, {"public", "orders"}, {"id"}),
       PrimaryKey("invoices_pkey", {"no"})});
  invoices.deps = {Dep(ObjectKind::Sequence, "billing", "invoice_no"),
                   Dep(ObjectKind::CompositeType, "billing", "money_amount"),
                   Dep(ObjectKind::Table, "public", "orders")};
  c.tables = {invoices, customers, orders};

  model::Index lower_email;
  lower_email.name = {"public", "customers_email_lower"};
  lower_email.table = customers.name;
  lower_email.elements = {ExprElement("lower(email)")};
  model::Index open;
  open.name = {"public", "orders_open"};
  open.table = orders.name;
  open.elements = {ColumnElement("customer_id"), ColumnElement("status")};
  open.where = Sql("status <> 'cancelled'");
  c.indexes = {lower_email, open};
  c.views = {MakeView({"public", "open_orders"},
                      "select o.id, c.email from public.orders o join public.customers c on c.id = "
                      "o.customer_id\nwhere o.status in ('pending', 'paid')",
                      {Dep(ObjectKind::Table, "public", "orders"),
                       Dep(ObjectKind::Table, "public", "customers")})};
  model::Trigger trigger;
  trigger.name = "customers_touch";
  trigger.table = customers.name;
  trigger.events = {"update"};
  trigger.for_each_row = true;
  trigger.function = touch.name;
  c.triggers = {trigger};
  model::Policy policy;
  policy.name = "own_orders";
  policy.table = orders.name;
  policy.command = "select";
  policy.roles = {"app_user"};
  policy.using_expr = Sql("customer_id = current_setting('app.customer')::bigint");
  c.policies = {policy};
  c.grants = {MakeGrant(ObjectKind::Table, orders.name, "INSERT", "app_user"),
              MakeGrant(ObjectKind::Table, orders.name, "SELECT", "app_user")};
  c.roles = {"app_user"};
  return c;
}

TEST_CASE("a complete schema in dependency order", "[sqlgen]") {
  model::Catalog catalog = ShopCatalog();
  std::string sql = CreateAll(catalog);
  CHECK(sql == R"sql(-- schemac: create from empty

CREATE SCHEMA billing;

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TYPE billing.money_amount AS (
  amount numeric(12,2),
  currency character(3)
);

CREATE DOMAIN public.positive_cents AS integer
  CONSTRAINT positive_cents_check CHECK (VALUE >= 0);

CREATE SEQUENCE billing.invoice_no START WITH 1000;

CREATE FUNCTION public.default_status() RETURNS public.order_status
  LANGUAGE sql IMMUTABLE
  AS $$select 'pending'::public.order_status$$;

CREATE FUNCTION public.touch() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
begin new.updated_at := now(); return new; end
$$;

CREATE TABLE public.customers (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  email text NOT NULL,
  updated_at timestamp with time zone,
  CONSTRAINT customers_email_key UNIQUE (email),
  CONSTRAINT customers_pkey PRIMARY KEY (id)
);

CREATE FUNCTION public.customer_count() RETURNS bigint
  LANGUAGE sql STABLE
  AS $$select count(*) from public.customers$$;

CREATE TABLE public.orders (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  customer_id bigint NOT NULL,
  status public.order_status DEFAULT public.default_status() NOT NULL,
  total_cents public.positive_cents NOT NULL,
  placed_at timestamp with time zone,
  period tstzrange,
  CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) ON DELETE CASCADE,
  CONSTRAINT orders_customer_id_period_excl EXCLUDE USING gist (customer_id WITH =, period WITH &&),
  CONSTRAINT orders_pkey PRIMARY KEY (id),
  CONSTRAINT orders_placed_when_paid CHECK (status = 'pending' or placed_at is not null)
);

CREATE TABLE billing.invoices (
  no bigint DEFAULT nextval('billing.invoice_no'::regclass) NOT NULL,
  order_id uuid NOT NULL,
  amount billing.money_amount NOT NULL,
  CONSTRAINT invoices_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders (id),
  CONSTRAINT invoices_pkey PRIMARY KEY (no)
);

ALTER SEQUENCE billing.invoice_no OWNED BY billing.invoices.no;

CREATE INDEX customers_email_lower ON public.customers ((lower(email)));

CREATE INDEX orders_open ON public.orders (customer_id, status) WHERE (status <> 'cancelled');

CREATE VIEW public.open_orders AS
select o.id, c.email from public.orders o join public.customers c on c.id = o.customer_id
where o.status in ('pending', 'paid');

CREATE TRIGGER customers_touch BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.touch();

ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;

CREATE POLICY own_orders ON public.orders FOR SELECT TO app_user USING (customer_id = current_setting('app.customer')::bigint);

COMMENT ON SCHEMA public IS 'standard public schema';

COMMENT ON EXTENSION btree_gist IS 'for exclusion';

COMMENT ON TABLE public.customers IS 'People who buy things';

COMMENT ON COLUMN public.customers.email IS 'login, unique';

COMMENT ON FUNCTION public.touch() IS 'keeps updated_at current';

GRANT INSERT, SELECT ON TABLE public.orders TO app_user;
)sql");

  // Deterministic: the input order of the model's vectors does not change the output.
  std::swap(catalog.tables[0], catalog.tables[2]);
  std::swap(catalog.functions[0], catalog.functions[1]);
  std::swap(catalog.extensions[0], catalog.extensions[1]);
  CHECK(CreateAll(catalog) == sql);
}

}  // namespace
}  // namespace schemac::sqlgen
