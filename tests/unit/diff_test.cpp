// Unit tests of compiler/diff: plans between two compiled `.schema` texts. No database: the
// expressions compare as written, which is what the diff sees after the runtime's normalization.
//
// Every plan built here is also checked against the plan invariants (CheckInvariants): the steps
// that need --allow-drop come last, `destructive` is exactly "has DeletesData", and a step tied to
// a destructive one points at it.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/type_change.h"
#include "compiler/driver/compile.h"
#include "compiler/model/model.h"

namespace schemac::diff {
namespace {

namespace fs = std::filesystem;

// ---- helpers ------------------------------------------------------------------------------------

// Compiles `text` as the only file of a schema. Fails the test on diagnostics.
model::Catalog Compile(const std::string& text) {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() / ("schemac_diff_test_" + std::to_string(::getpid()) +
                                              "_" + std::to_string(counter++));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "input.schema");
    out << text;
  }
  std::unique_ptr<driver::Compilation> c = driver::Compile({(dir / "input.schema").string()});
  fs::remove_all(dir);
  INFO(c->diags.Render(false));
  REQUIRE(c->catalog.has_value());
  return *c->catalog;
}

model::Catalog CompilePaths(const std::vector<std::string>& paths) {
  std::unique_ptr<driver::Compilation> c = driver::Compile(paths);
  INFO(c->diags.Render(false));
  REQUIRE(c->catalog.has_value());
  return *c->catalog;
}

void CheckInvariants(const Plan& plan) {
  // The dependency edges never form a cycle (the sort would have to guess).
  for (const Unsupported& u : plan.unsupported) CHECK(u.message.find("dependency cycle") == std::string::npos);
  bool gated_seen = false;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    INFO("step " << i << ": " << s.sql);
    CHECK(s.destructive == IsDestructive(s.hazards));
    if (s.destructive) CHECK(s.requires_allow_drop);
    CHECK((!gated_seen || s.requires_allow_drop));
    gated_seen = gated_seen || s.requires_allow_drop;
    CHECK(!s.sql.empty());
    CHECK(s.sql.back() == ';');
    CHECK(std::is_sorted(s.hazards.begin(), s.hazards.end()));
    if (s.tied_to) {
      REQUIRE(*s.tied_to < plan.steps.size());
      CHECK(plan.steps[*s.tied_to].destructive);
      CHECK(s.requires_allow_drop);
    }
  }
}

// The plan from `from` to `to`, checked against the invariants and against determinism.
Plan DiffText(const std::string& from, const std::string& to) {
  model::Catalog a = Compile(from);
  model::Catalog b = Compile(to);
  Plan plan = Diff(a, b);
  INFO(Format(plan));
  CheckInvariants(plan);
  CHECK(Format(Diff(a, b)) == Format(plan));
  return plan;
}

std::vector<std::string> Sql(const Plan& plan) {
  std::vector<std::string> out;
  for (const Step& s : plan.steps) out.push_back(s.sql);
  return out;
}

// The first step whose SQL starts with `prefix`; fails the test when there is none.
const Step& StepStarting(const Plan& plan, const std::string& prefix) {
  for (const Step& s : plan.steps) {
    if (s.sql.rfind(prefix, 0) == 0) return s;
  }
  FAIL("no step starts with: " << prefix << "\n" << Format(plan));
  return plan.steps.front();
}

bool HasStep(const Plan& plan, const std::string& prefix) {
  for (const Step& s : plan.steps) {
    if (s.sql.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

size_t IndexOf(const Plan& plan, const std::string& prefix) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].sql.rfind(prefix, 0) == 0) return i;
  }
  FAIL("no step starts with: " << prefix << "\n" << Format(plan));
  return 0;
}

bool Has(const Step& s, Hazard h) {
  return std::find(s.hazards.begin(), s.hazards.end(), h) != s.hazards.end();
}

bool AnyDrop(const Plan& plan) {
  for (const Step& s : plan.steps) {
    if (s.sql.rfind("DROP ", 0) == 0 || s.sql.find(" DROP COLUMN ") != std::string::npos) {
      return true;
    }
  }
  return false;
}

const std::string kBase = R"(
table users {
  id     bigint primary key
  email  character varying(50) not null
  name   text
}
)";


// ---- identity and determinism -------------------------------------------------------------------

TEST_CASE("a schema diffed against itself gives an empty plan", "[diff][identity]") {
  for (const std::string path : {"schemas/shop", "schemas/sketch.schema"}) {
    INFO(path);
    model::Catalog catalog = CompilePaths({std::string(SCHEMAC_SOURCE_DIR) + "/" + path});
    Plan plan = Diff(catalog, catalog);
    INFO(Format(plan));
    CHECK(plan.steps.empty());
    CHECK(plan.unsupported.empty());
    CHECK(plan.Empty());
  }
}

TEST_CASE("creating a whole schema from empty is deterministic and never destructive",
          "[diff][identity]") {
  for (const std::string path : {"schemas/shop", "schemas/sketch.schema"}) {
    INFO(path);
    model::Catalog catalog = CompilePaths({std::string(SCHEMAC_SOURCE_DIR) + "/" + path});
    model::Catalog empty;
    Plan plan = Diff(empty, catalog);
    INFO(Format(plan));
    CheckInvariants(plan);
    CHECK(!plan.steps.empty());
    CHECK(plan.unsupported.empty());
    for (const Step& s : plan.steps) {
      CHECK(!s.requires_allow_drop);
      CHECK(s.action != '-');
    }
    CHECK(Format(Diff(empty, catalog)) == Format(plan));
    // SCHEMAC_DIFF_DUMP=1 prints both plans, for reading.
    if (std::getenv("SCHEMAC_DIFF_DUMP")) {
      std::cout << Format(plan) << "\n=====\n" << Format(Diff(catalog, empty));
    }
    // ... and dropping everything again is all destructive drops.
    Plan back = Diff(catalog, empty);
    INFO(Format(back));
    CheckInvariants(back);
    CHECK(!back.steps.empty());
  }
}


// ---- hazards and type classification ------------------------------------------------------------

TEST_CASE("the hazard registry has unique ids and one definition of destructive",
          "[diff][hazard]") {
  std::set<std::string> ids;
  for (Hazard h : AllHazards()) {
    CHECK(ids.insert(std::string(HazardId(h))).second);
    CHECK(!HazardDescription(h).empty());
  }
  CHECK(ids.size() == 8);
  CHECK(ids.contains("deletes-data"));
  CHECK(IsDestructive({Hazard::RewritesTable, Hazard::DeletesData}));
  CHECK_FALSE(IsDestructive({Hazard::RewritesTable, Hazard::AccessExclusiveLock}));
  CHECK_FALSE(IsDestructive({}));
}

TEST_CASE("docs/safety.md documents every hazard", "[diff][hazard]") {
  std::ifstream in(std::string(SCHEMAC_SOURCE_DIR) + "/docs/safety.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  REQUIRE(!doc.empty());
  for (Hazard h : AllHazards()) {
    INFO(HazardId(h));
    CHECK(doc.find("| `" + std::string(HazardId(h)) + "` |") != std::string::npos);
  }
}

model::TypeName T(std::string name, std::string modifiers = "", int dims = 0) {
  return {"pg_catalog", std::move(name), std::move(modifiers), dims};
}

TEST_CASE("ClassifyTypeChange: safe widenings and lossy narrowings", "[diff][types]") {
  struct Case {
    model::TypeName from;
    model::TypeName to;
    bool lossy;
    bool rewrites;
  };
  const model::TypeName status{"public", "status", "", 0};
  const std::vector<Case> cases = {
      // strings
      {T("character varying", "(50)"), T("character varying", "(100)"), false, false},
      {T("character varying", "(50)"), T("text"), false, false},
      {T("character varying", "(50)"), T("character varying"), false, false},
      {T("text"), T("character varying"), false, false},
      {T("character varying", "(100)"), T("character varying", "(20)"), true, true},
      {T("text"), T("character varying", "(20)"), true, true},
      {T("character", "(3)"), T("character", "(5)"), false, true},
      {T("character", "(5)"), T("character", "(3)"), true, true},
      {T("character", "(3)"), T("text"), false, true},
      {T("text"), T("character", "(3)"), true, true},
      // numbers
      {T("smallint"), T("integer"), false, true},
      {T("integer"), T("bigint"), false, true},
      {T("bigint"), T("integer"), true, true},
      {T("integer"), T("smallint"), true, true},
      {T("numeric", "(10,2)"), T("numeric", "(12,2)"), false, false},
      {T("numeric", "(10,2)"), T("numeric", "(12,4)"), false, true},
      {T("numeric", "(10,2)"), T("numeric"), false, false},
      {T("numeric", "(12,2)"), T("numeric", "(10,2)"), true, true},
      {T("numeric", "(10,4)"), T("numeric", "(10,2)"), true, true},
      {T("numeric"), T("numeric", "(10,2)"), true, true},
      {T("integer"), T("numeric", "(12,2)"), false, true},
      {T("bigint"), T("numeric", "(12,2)"), true, true},
      {T("integer"), T("numeric"), false, true},
      {T("numeric", "(10,2)"), T("integer"), true, true},
      {T("double precision"), T("bigint"), true, true},
      {T("real"), T("double precision"), false, true},
      {T("double precision"), T("real"), true, true},
      {T("integer"), T("double precision"), false, true},
      {T("bigint"), T("double precision"), true, true},
      {T("double precision"), T("numeric"), true, true},
      // time
      {T("timestamp with time zone"), T("date"), true, true},
      {T("timestamp without time zone"), T("date"), true, true},
      {T("date"), T("timestamp with time zone"), false, true},
      {T("timestamp without time zone"), T("timestamp with time zone"), false, true},
      {T("timestamp with time zone"), T("timestamp without time zone"), true, true},
      {T("timestamp without time zone", "(3)"), T("timestamp without time zone"), false, false},
      {T("timestamp without time zone"), T("timestamp without time zone", "(3)"), true, true},
      // everything has a text form; text does not fit everything
      {T("integer"), T("text"), false, true},
      {T("boolean"), T("text"), false, true},
      {status, T("text"), false, true},
      {T("text"), T("integer"), true, true},
      {T("text"), status, true, true},
      {T("text"), T("uuid"), true, true},
      {T("jsonb"), T("json"), false, true},
      {T("json"), T("jsonb"), true, true},
      {T("cidr"), T("inet"), false, false},
      {T("inet"), T("cidr"), true, true},
      {T("bit varying", "(8)"), T("bit varying", "(16)"), false, false},
      // arrays
      {T("integer", "", 1), T("bigint", "", 1), false, true},
      {T("bigint", "", 1), T("integer", "", 1), true, true},
      {T("text", "", 1), T("text"), false, true},
      {T("text"), T("text", "", 1), true, true},
  };
  for (const Case& c : cases) {
    INFO(c.from.ToSql() << " -> " << c.to.ToSql());
    TypeChange change = ClassifyTypeChange(c.from, c.to);
    CHECK(change.lossy == c.lossy);
    CHECK(change.rewrites == c.rewrites);
    CHECK(change.lossy == !change.reason.empty());
  }
  TypeChange same = ClassifyTypeChange(T("integer"), T("integer"));
  CHECK_FALSE(same.lossy);
  CHECK_FALSE(same.rewrites);
}

// ---- schemas and extensions ------------------------------------------------------------------

TEST_CASE("schemas: create, drop, rename, comment", "[diff][schema]") {
  Plan create = DiffText("", "schema billing\ncomment on schema billing is 'Money'");
  CHECK(Sql(create) == std::vector<std::string>{"CREATE SCHEMA billing;",
                                                 "COMMENT ON SCHEMA billing IS 'Money';"});

  Plan drop_empty = DiffText("schema billing", "");
  CHECK(Sql(drop_empty) == std::vector<std::string>{"DROP SCHEMA billing;"});
  CHECK_FALSE(drop_empty.steps[0].destructive);

  Plan drop_full = DiffText("schema billing\ntable billing.t { id int }", "");
  const Step& schema_drop = StepStarting(drop_full, "DROP SCHEMA billing;");
  CHECK(schema_drop.destructive);
  CHECK(IndexOf(drop_full, "DROP TABLE billing.t;") < IndexOf(drop_full, "DROP SCHEMA"));

  Plan rename = DiffText("schema analytics\ntable analytics.t { id int }",
                         "schema reporting renamed from analytics\ntable reporting.t { id int }");
  CHECK(Sql(rename) == std::vector<std::string>{"ALTER SCHEMA analytics RENAME TO reporting;"});
  CHECK(rename.steps[0].action == '>');
  CHECK_FALSE(rename.steps[0].requires_allow_drop);

  Plan comment = DiffText("schema s\ncomment on schema s is 'a'", "schema s");
  CHECK(Sql(comment) == std::vector<std::string>{"COMMENT ON SCHEMA s IS NULL;"});
}

TEST_CASE("extensions: create, version change, drop after its users", "[diff][extension]") {
  CHECK(Sql(DiffText("", "extension citext")) ==
        std::vector<std::string>{"CREATE EXTENSION IF NOT EXISTS citext;"});
  CHECK(Sql(DiffText("extension hstore version '1.7'", "extension hstore version '1.8'")) ==
        std::vector<std::string>{"ALTER EXTENSION hstore UPDATE TO '1.8';"});
  Plan drop = DiffText("extension citext\ntable t { id int, e citext }", "table t { id int }");
  CHECK(IndexOf(drop, "ALTER TABLE public.t DROP COLUMN e;") <
        IndexOf(drop, "DROP EXTENSION citext;"));
  // The extension's drop waits for a withheld column drop, so it is withheld with it.
  CHECK(StepStarting(drop, "DROP EXTENSION").requires_allow_drop);
  CHECK_FALSE(StepStarting(drop, "DROP EXTENSION").destructive);
}


// ---- types ------------------------------------------------------------------------------------

TEST_CASE("enums: create, add values in place, drop", "[diff][enum]") {
  CHECK(Sql(DiffText("", "enum mood { sad, happy }")) ==
        std::vector<std::string>{"CREATE TYPE public.mood AS ENUM ('sad', 'happy');"});

  Plan add = DiffText("enum mood { sad, happy }", "enum mood { angry, sad, ok, happy, ecstatic }");
  CHECK(Sql(add) == std::vector<std::string>{
                        "ALTER TYPE public.mood ADD VALUE 'angry' BEFORE 'sad';",
                        "ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad';",
                        "ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy';"});
  for (const Step& s : add.steps) {
    CHECK_FALSE(s.transactional);
    CHECK_FALSE(s.requires_allow_drop);
  }

  Plan unused = DiffText("enum mood { sad, happy }", "");
  CHECK(Sql(unused) == std::vector<std::string>{"DROP TYPE public.mood;"});
  CHECK_FALSE(unused.steps[0].destructive);

  // Used by a column that is dropped with it: destructive, and after the column.
  Plan used = DiffText("enum mood { sad, happy }\ntable t { id int, m mood }", "table t { id int }");
  CHECK(StepStarting(used, "DROP TYPE public.mood;").destructive);
  CHECK(IndexOf(used, "ALTER TABLE public.t DROP COLUMN m;") < IndexOf(used, "DROP TYPE"));

  // Used by a column that changes to text: converted first, then dropped; nothing is lost.
  Plan retyped = DiffText("enum mood { sad, happy }\ntable t { id int, m mood }",
                          "table t { id int, m text }");
  CHECK(Sql(retyped) == std::vector<std::string>{
                            "ALTER TABLE public.t ALTER COLUMN m TYPE text USING m::text;",
                            "DROP TYPE public.mood;"});
  for (const Step& s : retyped.steps) CHECK_FALSE(s.requires_allow_drop);
}

TEST_CASE("enums: removing or reordering values recreates the type, destructively",
          "[diff][enum]") {
  Plan plan = DiffText(
      "enum mood { sad, ok, happy }\ntable t { id int, m mood not null default 'ok' }\n"
      "view v as select id, m from t",
      "enum mood { sad, happy }\ntable t { id int, m mood not null default 'sad' }\n"
      "view v as select id, m from t");
  INFO(Format(plan));
  CHECK(Sql(plan) == std::vector<std::string>{
                         "DROP VIEW public.v;",
                         "ALTER TABLE public.t ALTER COLUMN m DROP DEFAULT;",
                         "ALTER TYPE public.mood RENAME TO mood_schemac_old;",
                         "CREATE TYPE public.mood AS ENUM ('sad', 'happy');",
                         "ALTER TABLE public.t ALTER COLUMN m TYPE public.mood USING "
                         "m::text::public.mood;",
                         "ALTER TABLE public.t ALTER COLUMN m SET DEFAULT 'sad';",
                         "DROP TYPE public.mood_schemac_old;",
                         "CREATE VIEW public.v AS\nselect id, m from t;"});
  for (const Step& s : plan.steps) CHECK(s.requires_allow_drop);
  CHECK(StepStarting(plan, "ALTER TYPE public.mood RENAME").destructive);
  CHECK(StepStarting(plan, "ALTER TYPE public.mood RENAME").summary.find("'ok'") !=
        std::string::npos);

  Plan reorder = DiffText("enum e { a, b }", "enum e { b, a }");
  CHECK(StepStarting(reorder, "ALTER TYPE public.e RENAME").destructive);
  CHECK(StepStarting(reorder, "ALTER TYPE public.e RENAME").summary.find("reordered") !=
        std::string::npos);
}

TEST_CASE("enums and other types: rename", "[diff][enum][rename]") {
  Plan plan = DiffText("enum mood { a }\ntable t { m mood }",
                       "enum feeling renamed from mood { a }\ntable t { m feeling }");
  CHECK(Sql(plan) == std::vector<std::string>{"ALTER TYPE public.mood RENAME TO feeling;"});
  CHECK(plan.steps[0].action == '>');
  CHECK_FALSE(AnyDrop(plan));

  CHECK(Sql(DiffText("domain d as int", "domain e renamed from d as int")) ==
        std::vector<std::string>{"ALTER DOMAIN public.d RENAME TO e;"});
  CHECK(Sql(DiffText("type c as (a int)", "type k renamed from c as (a int)")) ==
        std::vector<std::string>{"ALTER TYPE public.c RENAME TO k;"});
}

TEST_CASE("domains: create, alter default, not null and checks, drop", "[diff][domain]") {
  CHECK(Sql(DiffText("", "domain cents as integer default 0 not null check (value >= 0)")) ==
        std::vector<std::string>{"CREATE DOMAIN public.cents AS integer DEFAULT 0 NOT NULL\n"
                                 "  CONSTRAINT cents_check CHECK (value >= 0);"});
  Plan alter = DiffText("domain cents as integer default 0 check (value >= 0)",
                        "domain cents as integer default 1 not null check (value > 0)");
  CHECK(Sql(alter) == std::vector<std::string>{
                          "ALTER DOMAIN public.cents SET DEFAULT 1;",
                          "ALTER DOMAIN public.cents SET NOT NULL;",
                          "ALTER DOMAIN public.cents DROP CONSTRAINT cents_check;",
                          "ALTER DOMAIN public.cents ADD CONSTRAINT cents_check CHECK (value > 0);"});
  CHECK(Has(StepStarting(alter, "ALTER DOMAIN public.cents SET NOT NULL"),
            Hazard::MayFailOnExistingRows));
  CHECK(Sql(DiffText("domain cents as integer default 0 not null", "domain cents as integer")) ==
        std::vector<std::string>{"ALTER DOMAIN public.cents DROP DEFAULT;",
                                 "ALTER DOMAIN public.cents DROP NOT NULL;"});
  CHECK(Sql(DiffText("domain cents as integer", "")) ==
        std::vector<std::string>{"DROP DOMAIN public.cents;"});
}

TEST_CASE("domains: a derived check name follows a renamed domain", "[diff][domain][rename]") {
  CHECK(Sql(DiffText("domain posint as integer check (value > 0)\ntable t { n posint }",
                     "domain amount renamed from posint as integer check (value > 0)\ntable t { n amount }")) ==
        std::vector<std::string>{"ALTER DOMAIN public.posint RENAME TO amount;",
                                 "ALTER DOMAIN public.amount RENAME CONSTRAINT posint_check TO amount_check;"});
  // An explicit name is the user's: a different one is a different check.
  CHECK(Sql(DiffText("domain d as integer constraint a check (value > 0)",
                     "domain d as integer constraint b check (value > 0)")) ==
        std::vector<std::string>{"ALTER DOMAIN public.d DROP CONSTRAINT a;",
                                 "ALTER DOMAIN public.d ADD CONSTRAINT b CHECK (value > 0);"});
}

TEST_CASE("domains: a base type change recreates the domain around its columns",
          "[diff][domain]") {
  Plan widen = DiffText("domain code as varchar(5)\ntable t { c code }",
                        "domain code as varchar(10)\ntable t { c code }");
  CHECK(Sql(widen) == std::vector<std::string>{
                          "ALTER DOMAIN public.code RENAME TO code_schemac_old;",
                          "CREATE DOMAIN public.code AS character varying(10);",
                          "ALTER TABLE public.t ALTER COLUMN c TYPE public.code USING c::public.code;",
                          "DROP DOMAIN public.code_schemac_old;"});
  for (const Step& s : widen.steps) CHECK_FALSE(s.requires_allow_drop);

  Plan narrow = DiffText("domain code as varchar(10)\ntable t { c code }",
                         "domain code as varchar(5)\ntable t { c code }");
  for (const Step& s : narrow.steps) CHECK(s.requires_allow_drop);
  CHECK(StepStarting(narrow, "ALTER DOMAIN public.code RENAME").destructive);
}

TEST_CASE("composite types: create, add and drop attributes, change an unused one",
          "[diff][composite]") {
  CHECK(Sql(DiffText("", "type money as (cents bigint, currency char(3))")) ==
        std::vector<std::string>{
            "CREATE TYPE public.money AS (\n  cents bigint,\n  currency character(3)\n);"});
  Plan alter = DiffText("type m as (a int, b text)", "type m as (a bigint, c text)");
  CHECK(Sql(alter) == std::vector<std::string>{"ALTER TYPE public.m ALTER ATTRIBUTE a TYPE bigint;",
                                                "ALTER TYPE public.m DROP ATTRIBUTE b;",
                                                "ALTER TYPE public.m ADD ATTRIBUTE c text;"});
  CHECK_FALSE(StepStarting(alter, "ALTER TYPE public.m DROP ATTRIBUTE b").destructive);
  CHECK(alter.unsupported.empty());

  // Used by a column: dropping an attribute loses its values; changing its type is impossible.
  Plan used = DiffText("type m as (a int, b text)\ntable t { v m }",
                       "type m as (a bigint)\ntable t { v m }");
  CHECK(StepStarting(used, "ALTER TYPE public.m DROP ATTRIBUTE b").destructive);
  CHECK_FALSE(HasStep(used, "ALTER TYPE public.m ALTER ATTRIBUTE"));
  REQUIRE(used.unsupported.size() == 1);
  CHECK(used.unsupported[0].message.find("attribute a changes type") != std::string::npos);

  Plan reorder = DiffText("type m as (a int, b int)", "type m as (b int, a int)");
  REQUIRE(reorder.unsupported.size() == 1);
  CHECK(reorder.unsupported[0].message.find("order") != std::string::npos);
}

TEST_CASE("sequences: create, alter, owned by, drop, rename", "[diff][sequence]") {
  CHECK(Sql(DiffText("", "sequence s start 100 increment 5")) ==
        std::vector<std::string>{"CREATE SEQUENCE public.s INCREMENT BY 5 START WITH 100;"});
  Plan alter = DiffText("sequence s", "sequence s increment by 2 cache 10 cycle");
  CHECK(Sql(alter) ==
        std::vector<std::string>{"ALTER SEQUENCE public.s INCREMENT BY 2 CACHE 10 CYCLE;"});
  CHECK(alter.steps[0].summary == "sequence public.s: increment 1 -> 2, cache 1 -> 10, cycle");

  Plan owned = DiffText("sequence s\ntable t { id bigint }", "sequence s owned by t.id\ntable t { id bigint }");
  CHECK(Sql(owned) == std::vector<std::string>{"ALTER SEQUENCE public.s OWNED BY public.t.id;"});
  CHECK(Sql(DiffText("sequence s owned by t.id\ntable t { id bigint }", "sequence s\ntable t { id bigint }")) ==
        std::vector<std::string>{"ALTER SEQUENCE public.s OWNED BY NONE;"});

  Plan drop = DiffText("sequence s", "");
  CHECK(Sql(drop) == std::vector<std::string>{"DROP SEQUENCE public.s;"});
  CHECK(drop.steps[0].destructive);

  Plan rename = DiffText("sequence s", "sequence n renamed from s");
  CHECK(Sql(rename) == std::vector<std::string>{"ALTER SEQUENCE public.s RENAME TO n;"});

  // A new table whose default uses a new sequence it owns.
  Plan both = DiffText("", "sequence s owned by t.id\ntable t { id bigint default nextval('s') }");
  CHECK(IndexOf(both, "CREATE SEQUENCE") < IndexOf(both, "CREATE TABLE"));
  CHECK(IndexOf(both, "CREATE TABLE") < IndexOf(both, "ALTER SEQUENCE public.s OWNED BY"));
}


// ---- tables -------------------------------------------------------------------------------------

TEST_CASE("tables: create with comments and row level security, drop", "[diff][table]") {
  Plan create = DiffText("", R"(
table t {
  id  bigint primary key
  n   text comment 'name'
  comment 'things'
  row level security
}
)");
  CHECK(Sql(create) == std::vector<std::string>{
                           "CREATE TABLE public.t (\n  id bigint NOT NULL,\n  n text,\n"
                           "  CONSTRAINT t_pkey PRIMARY KEY (id)\n);",
                           "ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;",
                           "COMMENT ON TABLE public.t IS 'things';",
                           "COMMENT ON COLUMN public.t.n IS 'name';"});
  Plan drop = DiffText(kBase, "");
  CHECK(Sql(drop) == std::vector<std::string>{"DROP TABLE public.users;"});
  CHECK(drop.steps[0].destructive);
  CHECK(drop.steps[0].action == '-');
  CHECK_FALSE(drop.steps[0].loc.IsValid());
}

TEST_CASE("tables: rename keeps the rows (no drop)", "[diff][table][rename]") {
  Plan plan = DiffText(R"(
table purchases {
  id    bigint primary key
  name  text
}
table lines { purchase_id bigint references purchases (id) }
)", R"(
table orders renamed from purchases {
  id    bigint primary key
  name  text
}
table lines { purchase_id bigint references orders (id) }
)");
  // The primary key's derived name follows the table: purchases_pkey -> orders_pkey.
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.purchases RENAME TO orders;",
                         "ALTER TABLE public.orders RENAME CONSTRAINT purchases_pkey TO orders_pkey;"});
  CHECK_FALSE(AnyDrop(plan));
  for (const Step& s : plan.steps) {
    CHECK(s.action == '>');
    CHECK_FALSE(s.requires_allow_drop);
    CHECK(s.loc.IsValid());
  }

  Plan moved = DiffText("schema a\nschema b\ntable a.t { id int }",
                        "schema a\nschema b\ntable b.u renamed from a.t { id int }");
  CHECK(Sql(moved) == std::vector<std::string>{"ALTER TABLE a.t SET SCHEMA b;",
                                                "ALTER TABLE b.t RENAME TO u;"});
  // A rename whose old name is gone already (applied before) is a no-op.
  CHECK(DiffText("table orders { id int }", "table orders renamed from purchases { id int }")
            .steps.empty());
}

TEST_CASE("tables: logging, row level security and comment changes", "[diff][table]") {
  Plan plan = DiffText("table t { id int\n row level security\n comment 'a' }",
                       "unlogged table t { id int\n force row level security }");
  // `force row level security` implies enabling it.
  CHECK(Sql(plan) == std::vector<std::string>{"ALTER TABLE public.t SET UNLOGGED;",
                                               "ALTER TABLE public.t FORCE ROW LEVEL SECURITY;",
                                               "COMMENT ON TABLE public.t IS NULL;"});
  CHECK(Has(plan.steps[0], Hazard::RewritesTable));
  CHECK(Sql(DiffText("table t { id int\n row level security }", "table t { id int }")) ==
        std::vector<std::string>{"ALTER TABLE public.t DISABLE ROW LEVEL SECURITY;"});
}

TEST_CASE("inheritance: parents first, no column added twice, a column moving to the child",
          "[diff][table][inherit]") {
  const std::string base = "table base {\n  id bigint not null\n";
  Plan create = DiffText("", base + "}\ntable a_child inherits (base) {\n  x integer\n}\n");
  CHECK(Sql(create) == std::vector<std::string>{
                           "CREATE TABLE public.base (\n  id bigint NOT NULL\n);",
                           "CREATE TABLE public.a_child (\n  x integer\n) INHERITS (public.base);"});
  // A column added to the parent reaches the child: only the parent gets it.
  Plan add = DiffText(base + "}\ntable a_child inherits (base) {\n  x integer\n}\n",
                      base + "  note text\n}\ntable a_child inherits (base) {\n  x integer\n}\n");
  CHECK(Sql(add) == std::vector<std::string>{"ALTER TABLE public.base ADD COLUMN note text;"});
  // The parent drops a column the child now declares: the child adds it after the parent's drop,
  // and both wait for --allow-drop.
  Plan move = DiffText(base + "  note text\n}\ntable a_child inherits (base) {\n  x integer\n}\n",
                       base + "}\ntable a_child inherits (base) {\n  x integer\n  note text\n}\n");
  REQUIRE(move.steps.size() == 2);
  CHECK(move.steps[0].sql == "ALTER TABLE public.base DROP COLUMN note;");
  CHECK(move.steps[1].sql == "ALTER TABLE public.a_child ADD COLUMN note text;");
  CHECK(move.steps[1].requires_allow_drop);
  // A child adding a column of its own before the parent gets one of the same name: the child's
  // first (ADD COLUMN on the parent then merges them).
  Plan both = DiffText(base + "}\ntable a_child inherits (base) {\n  x integer\n}\n",
                       base + "  y text\n}\ntable a_child inherits (base) {\n  x integer\n  y text\n}\n");
  CHECK(IndexOf(both, "ALTER TABLE public.a_child ADD COLUMN y") <
        IndexOf(both, "ALTER TABLE public.base ADD COLUMN y"));
  // Dropped together: the child first.
  Plan drop = DiffText(base + "}\ntable a_child inherits (base) {\n  x integer\n}\n", "");
  CHECK(IndexOf(drop, "DROP TABLE public.a_child") < IndexOf(drop, "DROP TABLE public.base"));
}

TEST_CASE("inheritance: inherit and no inherit on an existing table", "[diff][table][inherit]") {
  const std::string base = "table base {\n  id bigint not null\n  at date\n}\n";
  const std::string own = "table t {\n  id bigint not null\n  at date\n  x integer\n}\n";
  const std::string inheriting = "table t inherits (base) {\n  id bigint not null\n  at date\n  x integer\n}\n";
  Plan inherit = DiffText(base + own, base + inheriting);
  CHECK(Sql(inherit) == std::vector<std::string>{"ALTER TABLE public.t INHERIT public.base;"});
  Plan no_inherit = DiffText(base + inheriting, base + own);
  CHECK(Sql(no_inherit) == std::vector<std::string>{"ALTER TABLE public.t NO INHERIT public.base;"});
  // The columns inherited only stay behind as the table's own: dropped when not declared.
  Plan leave = DiffText(base + "table t inherits (base) {\n  x integer\n}\n", base + "table t {\n  x integer\n}\n");
  REQUIRE(leave.steps.size() == 3);
  CHECK(leave.steps[0].sql == "ALTER TABLE public.t NO INHERIT public.base;");
  CHECK(leave.steps[1].destructive);
  CHECK(leave.steps[2].destructive);
  // A parent whose columns the table lacks: reported, not planned.
  Plan missing = DiffText(base + "table t {\n  x integer\n}\n", base + "table t inherits (base) {\n  x integer\n}\n");
  CHECK(missing.steps.empty());
  REQUIRE(missing.unsupported.size() == 1);
  CHECK(missing.unsupported[0].message.find("needs the parent's columns") != std::string::npos);
  // Dropping the parent: NO INHERIT first.
  Plan gone = DiffText(base + inheriting, own);
  CHECK(IndexOf(gone, "ALTER TABLE public.t NO INHERIT") < IndexOf(gone, "DROP TABLE public.base"));
}

TEST_CASE("collations: created before the columns that use them, dropped after", "[diff][collation]") {
  const std::string numeric = "collation \"numeric\" (provider = icu, locale = 'en-u-kn-true')\n";
  const std::string posix = "collation posix (locale = 'POSIX')\n";
  Plan create = DiffText("table t {\n  a text\n}\n", numeric + "table t {\n  a text collate \"numeric\"\n}\n");
  REQUIRE(create.steps.size() == 2);
  CHECK(create.steps[0].sql == "CREATE COLLATION public.\"numeric\" (provider = icu, locale = 'en-u-kn-true');");
  CHECK(create.steps[1].sql == "ALTER TABLE public.t ALTER COLUMN a TYPE text COLLATE public.\"numeric\" USING a::text;");
  Plan change = DiffText(posix + numeric + "table t {\n  a text collate posix\n}\n",
                         numeric + "table t {\n  a text collate \"numeric\"\n}\n");
  CHECK(IndexOf(change, "ALTER TABLE public.t ALTER COLUMN a TYPE") < IndexOf(change, "DROP COLLATION public.posix"));
  CHECK_FALSE(StepStarting(change, "DROP COLLATION").destructive);
  // A changed collation: dropped and created again when unused, reported when used.
  Plan recreate = DiffText(posix, "collation posix (locale = 'C')\n");
  CHECK(Sql(recreate) == std::vector<std::string>{
                             "DROP COLLATION public.posix;",
                             "CREATE COLLATION public.posix (provider = libc, lc_collate = 'C', lc_ctype = 'C');"});
  Plan used = DiffText(posix + "table t {\n  a text collate posix\n}\n",
                       "collation posix (locale = 'C')\ntable t {\n  a text collate posix\n}\n");
  CHECK(used.steps.empty());
  REQUIRE(used.unsupported.size() == 1);
  CHECK(used.unsupported[0].message.find("collation public.posix changed") != std::string::npos);
}

TEST_CASE("partitions: create and drop, a new bound is DETACH then ATTACH (rows kept)",
          "[diff][table][partition]") {
  const std::string parent = "table e partition by range (at) { at date not null }\n";
  Plan create = DiffText(parent, parent + "table e_2026 partition of e for values from ('2026-01-01') to ('2027-01-01')");
  CHECK(Sql(create) == std::vector<std::string>{
                           "CREATE TABLE public.e_2026 PARTITION OF public.e FOR VALUES from "
                           "('2026-01-01') to ('2027-01-01');"});
  Plan drop = DiffText(parent + "table e_2026 partition of e for values from ('2026-01-01') to ('2027-01-01')", parent);
  CHECK(Sql(drop) == std::vector<std::string>{"DROP TABLE public.e_2026;"});
  CHECK(drop.steps[0].destructive);
  Plan bound = DiffText(parent + "table p partition of e for values from ('2026-01-01') to ('2027-01-01')",
                        parent + "table p partition of e for values from ('2026-01-01') to ('2028-01-01')");
  CHECK(bound.unsupported.empty());
  CHECK(Sql(bound) == std::vector<std::string>{
                          "ALTER TABLE public.e DETACH PARTITION public.p;",
                          "ALTER TABLE public.e ATTACH PARTITION public.p FOR VALUES from "
                          "('2026-01-01') to ('2028-01-01');"});
  for (const Step& s : bound.steps) {
    CHECK_FALSE(s.destructive);
    CHECK_FALSE(s.requires_allow_drop);
  }
  CHECK(Has(bound.steps[1], Hazard::ValidatesConstraint));
  CHECK(Has(bound.steps[1], Hazard::AccessExclusiveLock));
}

TEST_CASE("partitions: siblings that swap bounds are all detached before any is attached",
          "[diff][table][partition]") {
  const std::string parent = "table e partition by list (k) { k int not null }\n";
  Plan swap = DiffText(parent + "table a partition of e for values in (1)\n"
                                "table b partition of e for values in (2)\n",
                       parent + "table a partition of e for values in (2)\n"
                                "table b partition of e for values in (1)\n");
  REQUIRE(swap.steps.size() == 4);
  const size_t last_detach = std::max(IndexOf(swap, "ALTER TABLE public.e DETACH PARTITION public.a"),
                                      IndexOf(swap, "ALTER TABLE public.e DETACH PARTITION public.b"));
  CHECK(last_detach < IndexOf(swap, "ALTER TABLE public.e ATTACH PARTITION public.a"));
  CHECK(last_detach < IndexOf(swap, "ALTER TABLE public.e ATTACH PARTITION public.b"));
  CHECK_FALSE(AnyDrop(swap));
}

TEST_CASE("partitions: a plain table that becomes a partition is attached, not recreated",
          "[diff][table][partition]") {
  const std::string parent = "table e partition by list (k) { k int }\n";
  Plan attach = DiffText(parent + "table a { k int }\n",
                         parent + "table a partition of e for values in (1)\n");
  CHECK(Sql(attach) == std::vector<std::string>{
                           "ALTER TABLE public.e ATTACH PARTITION public.a FOR VALUES in (1);"});
  CHECK_FALSE(attach.steps[0].requires_allow_drop);
  // Its columns are made to match the parent's first.
  Plan extra = DiffText(parent + "table a { k int, extra text }\n",
                        parent + "table a partition of e for values in (1)\n");
  CHECK(IndexOf(extra, "ALTER TABLE public.a DROP COLUMN extra") <
        IndexOf(extra, "ALTER TABLE public.e ATTACH PARTITION public.a"));
}

TEST_CASE("partitions: a changed partition key recreates the table, destructively, with its "
          "dependents around it",
          "[diff][table][partition]") {
  const std::string before =
      "table e partition by list (k) { k int primary key, v int }\n"
      "comment on table e is 'events'\n"
      "table e1 partition of e for values in (1)\n"
      "index e_v on e (v)\n"
      "table r { k int references e (k) }\n"
      "view ev as select k, v from e\n";
  std::string after = before;
  after.replace(after.find("partition by list (k)"), 21, "partition by hash (k)");
  after.replace(after.find("for values in (1)"), 17, "for values with (modulus 1, remainder 0)");
  Plan plan = DiffText(before, after);
  CHECK(plan.unsupported.empty());
  const Step& drop = StepStarting(plan, "DROP TABLE public.e;");
  CHECK(drop.destructive);
  CHECK(Has(drop, Hazard::DeletesData));
  CHECK(Has(drop, Hazard::RecreatesDependents));
  CHECK(drop.summary.find("recreated") != std::string::npos);
  const size_t dropped = IndexOf(plan, "DROP TABLE public.e;");
  const size_t created = IndexOf(plan, "CREATE TABLE public.e ");
  CHECK(dropped < created);
  // The partition goes first and comes back after its parent.
  CHECK(IndexOf(plan, "DROP TABLE public.e1;") < dropped);
  CHECK(created < IndexOf(plan, "CREATE TABLE public.e1 PARTITION OF public.e"));
  // Dependents: the view, the index, the foreign key of another table, the comment.
  CHECK(IndexOf(plan, "DROP VIEW public.ev;") < dropped);
  CHECK(created < IndexOf(plan, "CREATE VIEW public.ev"));
  CHECK(created < IndexOf(plan, "CREATE INDEX e_v ON public.e"));
  CHECK(IndexOf(plan, "ALTER TABLE public.r DROP CONSTRAINT") < dropped);
  CHECK(created < IndexOf(plan, "ALTER TABLE public.r ADD CONSTRAINT"));
  CHECK(created < IndexOf(plan, "COMMENT ON TABLE public.e IS"));
  // Withheld without --allow-drop, all of it: nothing runs before the gate.
  for (const Step& s : plan.steps) CHECK(s.requires_allow_drop);
  CHECK(Format(plan).find("[destructive]") != std::string::npos);
  // Unpartitioned <-> partitioned is the same recreation.
  Plan unpart = DiffText("table t { k int }\n", "table t partition by list (k) { k int }\n");
  REQUIRE(unpart.steps.size() == 2);
  CHECK(Sql(unpart)[0] == "DROP TABLE public.t;");
  CHECK(unpart.steps[0].destructive);
  CHECK(unpart.steps[1].requires_allow_drop);
}

TEST_CASE("partitions: a partition that leaves its parent is recreated", "[diff][table][partition]") {
  const std::string parent = "table e partition by list (k) { k int }\n";
  Plan plan = DiffText(parent + "table a partition of e for values in (1)\n",
                       parent + "table a { k int }\n");
  CHECK(Sql(plan) == std::vector<std::string>{"DROP TABLE public.a;",
                                              "CREATE TABLE public.a (\n  k integer\n);"});
  CHECK(plan.steps[0].destructive);
}

TEST_CASE("dropping a partitioned table: what references it goes before its partitions",
          "[diff][table][partition]") {
  Plan plan = DiffText("table p partition by list (k) { k int primary key }\n"
                       "table p1 partition of p for values in (1)\n"
                       "table r { k int references p (k) }\n",
                       "");
  CHECK(IndexOf(plan, "DROP TABLE public.r;") < IndexOf(plan, "DROP TABLE public.p1;"));
  CHECK(IndexOf(plan, "DROP TABLE public.p1;") < IndexOf(plan, "DROP TABLE public.p;"));
}

TEST_CASE("a view the target keeps over a dropped table is recreated over its replacement",
          "[diff][view][table]") {
  Plan plan = DiffText("table data { id int }\nview q as select id from data\n",
                       "table t_data { id int }\nview data as select id from t_data\n"
                       "view q as select id from data\n");
  const size_t table_dropped = IndexOf(plan, "DROP TABLE public.data;");
  CHECK(IndexOf(plan, "DROP VIEW public.q;") < table_dropped);
  CHECK(table_dropped < IndexOf(plan, "CREATE VIEW public.data"));
  CHECK(IndexOf(plan, "CREATE VIEW public.data") < IndexOf(plan, "CREATE VIEW public.q"));
}

// ---- columns ------------------------------------------------------------------------------------

TEST_CASE("columns: add, with the NOT NULL hazard", "[diff][column]") {
  Plan plan = DiffText(kBase, R"(
table users {
  id     bigint primary key
  email  character varying(50) not null
  name   text
  age    integer
  score  integer not null default 0
  code   text not null
}
)");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.users ADD COLUMN age integer;",
                         "ALTER TABLE public.users ADD COLUMN score integer DEFAULT 0 NOT NULL;",
                         "ALTER TABLE public.users ADD COLUMN code text NOT NULL;"});
  CHECK_FALSE(Has(plan.steps[1], Hazard::MayFailOnExistingRows));
  CHECK(Has(plan.steps[2], Hazard::MayFailOnExistingRows));
  CHECK(plan.steps[2].summary.find("fails if the table has rows") != std::string::npos);
  for (const Step& s : plan.steps) CHECK_FALSE(s.requires_allow_drop);

  Plan volatile_default = DiffText("table t { id int }",
                                   "table t { id int, u uuid default gen_random_uuid() }");
  CHECK(Has(volatile_default.steps[0], Hazard::RewritesTable));
}

TEST_CASE("columns: drop is destructive", "[diff][column]") {
  Plan plan = DiffText(kBase, "table users {\n id bigint primary key\n email character varying(50) not null\n}");
  CHECK(Sql(plan) == std::vector<std::string>{"ALTER TABLE public.users DROP COLUMN name;"});
  CHECK(plan.steps[0].destructive);
  CHECK(plan.steps[0].requires_allow_drop);
  CHECK(Has(plan.steps[0], Hazard::DeletesData));
}

TEST_CASE("columns: rename keeps the values (no drop)", "[diff][column][rename]") {
  Plan plan = DiffText("table t {\n id int primary key\n name text unique\n}",
                       "table t {\n id int primary key\n full_name text unique renamed from name\n}");
  // The unique constraint's derived name follows the column.
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.t RENAME COLUMN name TO full_name;",
                         "ALTER TABLE public.t RENAME CONSTRAINT t_name_key TO t_full_name_key;"});
  CHECK_FALSE(AnyDrop(plan));
}

TEST_CASE("columns: a table and its column renamed together, without an ordering cycle",
          "[diff][column][rename]") {
  Plan plan = DiffText("table orders { id int primary key\n qty int }",
                       "table purchases renamed from orders { id int primary key\n amount int renamed from qty }");
  CHECK(plan.unsupported.empty());
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.orders RENAME TO purchases;",
                         "ALTER TABLE public.purchases RENAME COLUMN qty TO amount;",
                         "ALTER TABLE public.purchases RENAME CONSTRAINT orders_pkey TO purchases_pkey;"});
}

TEST_CASE("columns: a rename follows into the expressions of the table's objects", "[diff][column][rename]") {
  auto schema = [](const std::string& c, const std::string& renamed) {
    return "function f() returns trigger language plpgsql as $$ begin return new; end $$\n"
           "table t {\n  id int primary key\n  " + c + " int not null" + renamed + "\n  note text\n"
           "  g int generated always as (" + c + " * 2) stored\n"
           "  check t_positive (" + c + " > 0 and note <> 'qty')\n"
           "  index t_expr ((" + c + " + 1)) where " + c + " > 1\n  row level security\n}\n"
           "policy p on t using (" + c + " > 1) with check (" + c + " < 100)\n"
           "trigger tr before update on t for each row when (new." + c + " > old." + c + ") execute function f()\n";
  };
  Plan plan = DiffText(schema("qty", ""), schema("amount", " renamed from qty"));
  CHECK(Sql(plan) == std::vector<std::string>{"ALTER TABLE public.t RENAME COLUMN qty TO amount;"});
  // A literal that spells the old name is not a reference: changing it is a change.
  Plan literal = DiffText(schema("qty", ""), [&] {
    std::string s = schema("amount", " renamed from qty");
    s.replace(s.find("'qty'"), 5, "'amount'");
    return s;
  }());
  CHECK(HasStep(literal, "ALTER TABLE public.t DROP CONSTRAINT t_positive;"));
}

TEST_CASE("columns: type changes, safe and lossy", "[diff][column]") {
  auto with_email = [](const std::string& type) {
    return "table users {\n id bigint primary key\n email " + type + " not null\n name text\n}";
  };
  Plan widen = DiffText(kBase, with_email("text"));
  REQUIRE(widen.steps.size() == 1);
  CHECK(widen.steps[0].sql == "ALTER TABLE public.users ALTER COLUMN email TYPE text USING email::text;");
  CHECK(widen.steps[0].summary == "column public.users.email: type character varying(50) -> text");
  CHECK_FALSE(widen.steps[0].destructive);
  CHECK_FALSE(Has(widen.steps[0], Hazard::RewritesTable));
  CHECK(Has(widen.steps[0], Hazard::AccessExclusiveLock));

  Plan narrow = DiffText(kBase, with_email("varchar(20)"));
  REQUIRE(narrow.steps.size() == 1);
  CHECK(narrow.steps[0].sql ==
        "ALTER TABLE public.users ALTER COLUMN email TYPE character varying(20) USING "
        "email::character varying(20);");
  CHECK(narrow.steps[0].destructive);
  CHECK(Has(narrow.steps[0], Hazard::RewritesTable));
  CHECK(narrow.steps[0].summary.find("lossy") != std::string::npos);

  Plan rewrite = DiffText("table t { n integer }", "table t { n bigint }");
  CHECK_FALSE(rewrite.steps[0].destructive);
  CHECK(Has(rewrite.steps[0], Hazard::RewritesTable));

  Plan collation = DiffText("table t { n text }", "table t { n text collate \"C\" }");
  CHECK(Sql(collation) == std::vector<std::string>{
                              "ALTER TABLE public.t ALTER COLUMN n TYPE text COLLATE \"C\" USING n::text;"});
  CHECK_FALSE(collation.steps[0].destructive);
}

TEST_CASE("columns: a type change drops and restores the default around it", "[diff][column]") {
  Plan plan = DiffText("table t { n integer not null default 0 }",
                       "table t { n bigint not null default 0 }");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.t ALTER COLUMN n DROP DEFAULT;",
                         "ALTER TABLE public.t ALTER COLUMN n TYPE bigint USING n::bigint;",
                         "ALTER TABLE public.t ALTER COLUMN n SET DEFAULT 0;"});
}

TEST_CASE("columns: defaults, not null, comments", "[diff][column]") {
  Plan plan = DiffText("table t {\n a int default 1\n b int not null\n c int\n}",
                       "table t {\n a int\n b int\n c int not null default 2 comment 'see'\n}");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.t ALTER COLUMN a DROP DEFAULT;",
                         "ALTER TABLE public.t ALTER COLUMN b DROP NOT NULL;",
                         "ALTER TABLE public.t ALTER COLUMN c SET DEFAULT 2;",
                         "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;",
                         "COMMENT ON COLUMN public.t.c IS 'see';"});
  const Step& not_null = StepStarting(plan, "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL");
  CHECK(Has(not_null, Hazard::ValidatesConstraint));
  CHECK(Has(not_null, Hazard::MayFailOnExistingRows));
  CHECK_FALSE(not_null.destructive);
}

TEST_CASE("columns: identity add, change, options, drop", "[diff][column][identity]") {
  CHECK(Sql(DiffText("table t { id bigint not null }",
                     "table t { id bigint generated always as identity }")) ==
        std::vector<std::string>{
            "ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;"});
  CHECK(Sql(DiffText("table t { id bigint generated always as identity }",
                     "table t { id bigint generated by default as identity }")) ==
        std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN id SET GENERATED BY DEFAULT;"});
  CHECK(Sql(DiffText("table t { id bigint generated always as identity }",
                     "table t { id bigint generated always as identity (start with 10 increment by 5) }")) ==
        std::vector<std::string>{
            "ALTER TABLE public.t ALTER COLUMN id SET INCREMENT BY 5 SET START WITH 10;"});
  CHECK(Sql(DiffText("table t { id bigint generated always as identity }",
                     "table t { id bigint not null }")) ==
        std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN id DROP IDENTITY;"});
  // An identity column cannot lose its NOT NULL or take a default: the identity goes first.
  CHECK(Sql(DiffText("table t { id bigint generated always as identity }",
                     "table t { id bigint default 7 }")) ==
        std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN id DROP IDENTITY;",
                                 "ALTER TABLE public.t ALTER COLUMN id SET DEFAULT 7;",
                                 "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL;"});
}

TEST_CASE("columns: a change from one enum to another converts through text", "[diff][column][enum]") {
  Plan plan = DiffText("enum a { x, y }\nenum b { x, y }\ntable t { c a, d a[] }",
                       "enum a { x, y }\nenum b { x, y }\ntable t { c b, d b[] }");
  CHECK(HasStep(plan, "ALTER TABLE public.t ALTER COLUMN c TYPE public.b USING c::text::public.b;"));
  CHECK(HasStep(plan, "ALTER TABLE public.t ALTER COLUMN d TYPE public.b[] USING d::text[]::public.b[];"));
  // From a built-in type the direct cast stays.
  CHECK(HasStep(DiffText("enum a { x }\ntable t { c text }", "enum a { x }\ntable t { c a }"),
                "ALTER TABLE public.t ALTER COLUMN c TYPE public.a USING c::public.a;"));
}

TEST_CASE("columns: an identity replaced by a default, and a default by an identity", "[diff][column][identity]") {
  CHECK(Sql(DiffText("table t { i integer generated always as identity }",
                     "table t { i integer not null default 5 }")) ==
        std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN i DROP IDENTITY;",
                                 "ALTER TABLE public.t ALTER COLUMN i SET DEFAULT 5;"});
  CHECK(Sql(DiffText("table t { i integer not null default 5 }",
                     "table t { i integer generated always as identity }")) ==
        std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN i DROP DEFAULT;",
                                 "ALTER TABLE public.t ALTER COLUMN i ADD GENERATED ALWAYS AS IDENTITY;"});
}

TEST_CASE("columns: an identity changing kind and options at once gets both", "[diff][column][identity]") {
  CHECK(Sql(DiffText("table t { id bigint generated by default as identity (start with 100) }",
                     "table t { id bigint generated always as identity (start with 100 increment by 10) }")) ==
        std::vector<std::string>{
            "ALTER TABLE public.t ALTER COLUMN id SET GENERATED ALWAYS SET INCREMENT BY 10;"});
}

TEST_CASE("columns: generated expressions", "[diff][column][generated]") {
  Plan change = DiffText("table t { a int, b int generated always as (a * 2) stored }",
                         "table t { a int, b int generated always as (a * 3) stored }");
  CHECK(Sql(change) == std::vector<std::string>{
                           "ALTER TABLE public.t DROP COLUMN b;",
                           "ALTER TABLE public.t ADD COLUMN b integer GENERATED ALWAYS AS (a * 3) STORED;"});
  // Derived data only: not destructive, but the table is rewritten.
  for (const Step& s : change.steps) CHECK_FALSE(s.requires_allow_drop);
  CHECK(Has(change.steps[1], Hazard::RewritesTable));

  Plan to_plain = DiffText("table t { a int, b int generated always as (a * 2) stored }",
                           "table t { a int, b int }");
  CHECK(Sql(to_plain) == std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN b DROP EXPRESSION;"});

  Plan to_generated = DiffText("table t { a int, b int }",
                               "table t { a int, b int generated always as (a * 2) stored }");
  CHECK(StepStarting(to_generated, "ALTER TABLE public.t DROP COLUMN b").destructive);

  // A generated column computed from a column whose type changes is dropped and added around it.
  Plan retyped = DiffText("table t { a int, b bigint generated always as (a * 2) stored }",
                          "table t { a bigint, b bigint generated always as (a * 2) stored }");
  CHECK(Sql(retyped) == std::vector<std::string>{
                            "ALTER TABLE public.t DROP COLUMN b;",
                            "ALTER TABLE public.t ALTER COLUMN a TYPE bigint USING a::bigint;",
                            "ALTER TABLE public.t ADD COLUMN b bigint GENERATED ALWAYS AS (a * 2) STORED;"});
}


// ---- constraints --------------------------------------------------------------------------------

TEST_CASE("constraints: add, drop, change, validate, rename, comment", "[diff][constraint]") {
  Plan add = DiffText("table t { a int }", "table t {\n a int\n check t_a_positive (a > 0)\n}");
  CHECK(Sql(add) == std::vector<std::string>{
                        "ALTER TABLE public.t ADD CONSTRAINT t_a_positive CHECK (a > 0);"});
  CHECK(Has(add.steps[0], Hazard::ValidatesConstraint));
  CHECK(Has(add.steps[0], Hazard::MayFailOnExistingRows));
  CHECK_FALSE(add.steps[0].requires_allow_drop);

  Plan drop = DiffText("table t {\n a int\n check t_a_positive (a > 0)\n}", "table t { a int }");
  CHECK(Sql(drop) == std::vector<std::string>{"ALTER TABLE public.t DROP CONSTRAINT t_a_positive;"});
  CHECK_FALSE(drop.steps[0].destructive);

  Plan change = DiffText("table t {\n a int\n check t_a_positive (a > 0)\n}\n"
                         "comment on constraint t_a_positive on t is 'x'",
                         "table t {\n a int\n check t_a_positive (a >= 0)\n}\n"
                         "comment on constraint t_a_positive on t is 'x'");
  CHECK(Sql(change) == std::vector<std::string>{
                           "ALTER TABLE public.t DROP CONSTRAINT t_a_positive;",
                           "ALTER TABLE public.t ADD CONSTRAINT t_a_positive CHECK (a >= 0);",
                           "COMMENT ON CONSTRAINT t_a_positive ON public.t IS 'x';"});

  Plan rename = DiffText("table t {\n a int\n constraint a_pos check (a > 0)\n}",
                         "table t {\n a int\n constraint a_positive check (a > 0) renamed from a_pos\n}");
  CHECK(Sql(rename) == std::vector<std::string>{
                           "ALTER TABLE public.t RENAME CONSTRAINT a_pos TO a_positive;"});

  model::Catalog live = Compile("table t {\n a int\n check t_a_positive (a > 0)\n}");
  live.tables[0].constraints[0].not_valid = true;
  Plan validate = Diff(live, Compile("table t {\n a int\n check t_a_positive (a > 0)\n}"));
  CHECK(Sql(validate) == std::vector<std::string>{
                             "ALTER TABLE public.t VALIDATE CONSTRAINT t_a_positive;"});
}

TEST_CASE("not valid constraints: added NOT VALID, made NOT VALID by drop and add, validated",
          "[diff][constraint][not-valid]") {
  const std::string base = "table p { id int primary key }\n";
  const std::string valid = base + "table t {\n a int references p (id)\n check t_a_positive (a > 0)\n}";
  const std::string not_valid =
      base + "table t {\n a int references p (id) not valid\n check t_a_positive (a > 0) not valid\n}";
  // New on an existing table: added NOT VALID, no validation, no scan hazards; online the same.
  for (bool online : {false, true}) {
    Plan add = Diff(Compile(base + "table t { a int }"), Compile(not_valid), {.online = online});
    CheckInvariants(add);
    CHECK(Sql(add) == std::vector<std::string>{
                          "ALTER TABLE public.t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID;",
                          "ALTER TABLE public.t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES public.p (id) NOT VALID;"});
    for (const Step& step : add.steps) {
      CHECK_FALSE(Has(step, Hazard::MayFailOnExistingRows));
      CHECK_FALSE(Has(step, Hazard::ValidatesConstraint));
    }
  }
  // A new table: CREATE TABLE would validate them, so they come after it.
  Plan create = DiffText(base, not_valid);
  CHECK(Sql(create) == std::vector<std::string>{
                           "CREATE TABLE public.t (\n  a integer\n);",
                           "ALTER TABLE public.t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID;",
                           "ALTER TABLE public.t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES public.p (id) NOT VALID;"});
  // Valid to not valid: dropped and added again NOT VALID, nothing destructive.
  Plan made = DiffText(valid, not_valid);
  CheckInvariants(made);
  CHECK(Sql(made) == std::vector<std::string>{
                         "ALTER TABLE public.t DROP CONSTRAINT t_a_positive;",
                         "ALTER TABLE public.t DROP CONSTRAINT t_a_fkey;",
                         "ALTER TABLE public.t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID;",
                         "ALTER TABLE public.t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES public.p (id) NOT VALID;"});
  for (const Step& step : made.steps) CHECK_FALSE(step.destructive);
  // Not valid to valid: validated in place.
  CHECK(Sql(DiffText(not_valid, valid)) == std::vector<std::string>{
                                               "ALTER TABLE public.t VALIDATE CONSTRAINT t_a_positive;",
                                               "ALTER TABLE public.t VALIDATE CONSTRAINT t_a_fkey;"});
  // Same state: nothing to do.
  CHECK(DiffText(not_valid, not_valid).steps.empty());
  // Online, a constraint declared valid is still validated after its NOT VALID add.
  Plan online = Diff(Compile(base + "table t { a int }"), Compile(valid), {.online = true});
  CHECK(IndexOf(online, "ALTER TABLE public.t VALIDATE CONSTRAINT t_a_positive") >
        IndexOf(online, "ALTER TABLE public.t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID"));
}

TEST_CASE("row level security: enabled and forced are independent", "[diff][rls]") {
  const std::string t = "table t { id int }\n";
  CHECK(Sql(DiffText(t, t + "force row level security not enabled on t")) ==
        std::vector<std::string>{"ALTER TABLE public.t FORCE ROW LEVEL SECURITY;"});
  CHECK(Sql(DiffText(t + "force row level security on t", t + "force row level security not enabled on t")) ==
        std::vector<std::string>{"ALTER TABLE public.t DISABLE ROW LEVEL SECURITY;"});
  CHECK(Sql(DiffText(t + "force row level security not enabled on t", t + "row level security on t")) ==
        std::vector<std::string>{"ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;",
                                 "ALTER TABLE public.t NO FORCE ROW LEVEL SECURITY;"});
}

TEST_CASE("foreign keys: after the tables they reference, cycles between new tables",
          "[diff][constraint][fk]") {
  Plan existing = DiffText("table a { id int primary key }",
                           "table a { id int primary key, b_id int references b (id) }\n"
                           "table b { id int primary key }");
  CHECK(Sql(existing) == std::vector<std::string>{
                             "CREATE TABLE public.b (\n  id integer NOT NULL,\n  CONSTRAINT b_pkey "
                             "PRIMARY KEY (id)\n);",
                             "ALTER TABLE public.a ADD COLUMN b_id integer;",
                             "ALTER TABLE public.a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) "
                             "REFERENCES public.b (id);"});
  CHECK(Has(existing.steps[2], Hazard::ShareLock));

  Plan cycle = DiffText("", "table a { id int primary key, b_id int references b (id) }\n"
                            "table b { id int primary key, a_id int references a (id) }");
  CHECK(IndexOf(cycle, "CREATE TABLE public.a") < IndexOf(cycle, "CREATE TABLE public.b"));
  CHECK(IndexOf(cycle, "CREATE TABLE public.b") <
        IndexOf(cycle, "ALTER TABLE public.a ADD CONSTRAINT a_b_id_fkey"));
  CHECK(cycle.unsupported.empty());
  // The key written inside CREATE TABLE b references a, which exists by then.
  CHECK(StepStarting(cycle, "CREATE TABLE public.b").sql.find("REFERENCES public.a") !=
        std::string::npos);
}

TEST_CASE("a changed primary key recreates the foreign keys that rely on it",
          "[diff][constraint][fk]") {
  Plan plan = DiffText("table a { id int, k int, primary key (id) }\ntable b { a_id int references a (id) }",
                       "table a { id int, k int, primary key (id) include (k) }\ntable b { a_id int references a (id) }");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.b DROP CONSTRAINT b_a_id_fkey;",
                         "ALTER TABLE public.a DROP CONSTRAINT a_pkey;",
                         "ALTER TABLE public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id) INCLUDE (k);",
                         "ALTER TABLE public.b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) "
                         "REFERENCES public.a (id);"});
}

TEST_CASE("tables dropped together with foreign keys between them", "[diff][table][fk]") {
  Plan plan = DiffText("table a { id int primary key, b_id int references b (id) }\n"
                       "table b { id int primary key, a_id int references a (id) }\ntable c { id int }",
                       "table c { id int }");
  // The cycle is broken by dropping one key first; everything is withheld together.
  for (const Step& s : plan.steps) CHECK(s.requires_allow_drop);
  CHECK(HasStep(plan, "ALTER TABLE public.a DROP CONSTRAINT a_b_id_fkey;"));
  CHECK(plan.unsupported.empty());

  Plan chain = DiffText("table a { id int primary key }\ntable b { a_id int references a (id) }", "");
  CHECK(Sql(chain) == std::vector<std::string>{"DROP TABLE public.b;", "DROP TABLE public.a;"});
}

// ---- indexes ------------------------------------------------------------------------------------

TEST_CASE("indexes: create, drop, change, rename, comment", "[diff][index]") {
  const std::string table = "table t {\n a int\n b int\n";
  Plan create = DiffText(table + "}", table + " index t_a (a)\n}");
  CHECK(Sql(create) == std::vector<std::string>{"CREATE INDEX t_a ON public.t (a);"});
  CHECK(Has(create.steps[0], Hazard::IndexBuild));
  CHECK(Has(create.steps[0], Hazard::ShareLock));

  Plan drop = DiffText(table + " index t_a (a)\n}", table + "}");
  CHECK(Sql(drop) == std::vector<std::string>{"DROP INDEX public.t_a;"});
  CHECK_FALSE(drop.steps[0].requires_allow_drop);

  Plan change = DiffText(table + " index t_a (a)\n}", table + " index t_a (a, b)\n}");
  CHECK(Sql(change) == std::vector<std::string>{"DROP INDEX public.t_a;",
                                                 "CREATE INDEX t_a ON public.t (a, b);"});

  // A different name: the new index is built before the old one is dropped.
  Plan swap = DiffText(table + " index t_a (a)\n}", table + " index t_ab (a, b)\n}");
  CHECK(Sql(swap) == std::vector<std::string>{"CREATE INDEX t_ab ON public.t (a, b);",
                                               "DROP INDEX public.t_a;"});

  Plan rename = DiffText(table + " index t_a (a)\n}", table + " index t_a_idx renamed from t_a (a)\n}");
  CHECK(Sql(rename) == std::vector<std::string>{"ALTER INDEX public.t_a RENAME TO t_a_idx;"});
  CHECK_FALSE(AnyDrop(rename));

  Plan comment = DiffText(table + " index t_a (a)\n}", table + " index t_a (a)\n}\ncomment on index t_a is 'x'");
  CHECK(Sql(comment) == std::vector<std::string>{"COMMENT ON INDEX public.t_a IS 'x';"});

  model::Catalog live = Compile(table + " index t_a (a)\n}");
  live.indexes[0].invalid = true;
  Plan rebuild = Diff(live, Compile(table + " index t_a (a)\n}"));
  CHECK(Sql(rebuild) == std::vector<std::string>{"DROP INDEX public.t_a;",
                                                  "CREATE INDEX t_a ON public.t (a);"});
}

TEST_CASE("indexes of partitioned tables: partition indexes attached, drops first", "[diff][index][partition]") {
  const std::string parent = "table p partition by list (k) {\n  k text not null\n  id int not null\n";
  const std::string local = "table p_a partition of p for values in ('a') {\n  index p_a_kid (k, id)\n  index p_a_dup (k, id)\n}\n";
  const std::string plain = "table p_a partition of p for values in ('a')\n";

  // A matching index of the partition is attached by the parent's new index, not dropped; another
  // matching one is dropped before, so PostgreSQL cannot attach that one instead.
  Plan attach = DiffText(parent + "}\n" + local, parent + "  index p_idx (k, id)\n}\n" + plain);
  CHECK(Sql(attach) == std::vector<std::string>{"DROP INDEX public.p_a_kid;",
                                                "CREATE INDEX p_idx ON public.p (k, id);",
                                                "ALTER INDEX public.p_idx ATTACH PARTITION public.p_a_dup;"});

  // An index that does not match is dropped late as usual.
  Plan other = DiffText(parent + "}\ntable p_a partition of p for values in ('a') {\n  index p_a_k (k)\n}\n",
                        parent + "  index p_idx (k, id)\n}\n" + plain);
  CHECK(Sql(other) == std::vector<std::string>{"CREATE INDEX p_idx ON public.p (k, id);", "DROP INDEX public.p_a_k;"});

  // The parent's index goes before the partition's new one is built (its attached indexes, which
  // go with it, may have that name).
  Plan to_local = DiffText(parent + "  index p_idx (k, id)\n}\n" + plain,
                           parent + "}\ntable p_a partition of p for values in ('a') {\n  index p_a_k_id_idx (k, id)\n}\n");
  CHECK(IndexOf(to_local, "DROP INDEX public.p_idx;") < IndexOf(to_local, "CREATE INDEX p_a_k_id_idx"));

  // An invalid index of the parent (created ON ONLY) whose partition without an attached index
  // has a matching one: attached, not rebuilt.
  model::Catalog live = Compile(parent + "  index p_idx (k, id)\n}\n" + local);
  for (model::Index& i : live.indexes) {
    if (i.name.name == "p_idx") {
      i.invalid = true;
      i.unattached_partitions = {{"public", "p_a"}};
    }
  }
  Plan complete = Diff(live, Compile(parent + "  index p_idx (k, id)\n}\n" + plain));
  INFO(Format(complete));
  CHECK(Sql(complete) == std::vector<std::string>{"ALTER INDEX public.p_idx ATTACH PARTITION public.p_a_dup;",
                                                  "DROP INDEX public.p_a_kid;"});
}

// ---- views --------------------------------------------------------------------------------------

TEST_CASE("views: create, change, drop, rename, dependents are recreated", "[diff][view]") {
  const std::string t = "table t { a int, b int }\n";
  CHECK(Sql(DiffText(t, t + "view v as select a from t")) ==
        std::vector<std::string>{"CREATE VIEW public.v AS\nselect a from t;"});
  CHECK(Sql(DiffText(t + "view v as select a from t", t)) ==
        std::vector<std::string>{"DROP VIEW public.v;"});

  Plan change = DiffText(t + "view v as select a from t\nview w as select a from v\n"
                             "grant select on w to app\ncomment on view w is 'w'",
                         t + "view v as select a, b from t\nview w as select a from v\n"
                             "grant select on w to app\ncomment on view w is 'w'");
  CHECK(Sql(change) == std::vector<std::string>{
                           "DROP VIEW public.w;",
                           "DROP VIEW public.v;",
                           "CREATE VIEW public.v AS\nselect a, b from t;",
                           "CREATE VIEW public.w AS\nselect a from v;",
                           "COMMENT ON VIEW public.w IS 'w';",
                           "GRANT SELECT ON TABLE public.w TO app;"});
  CHECK(StepStarting(change, "DROP VIEW public.w").summary.find("recreated") != std::string::npos);
  for (const Step& s : change.steps) CHECK_FALSE(s.requires_allow_drop);

  Plan rename = DiffText(t + "view v as select a from t", t + "view v2 renamed from v as select a from t");
  CHECK(Sql(rename) == std::vector<std::string>{"ALTER VIEW public.v RENAME TO v2;"});
}

TEST_CASE("materialized views: dropping one is destructive", "[diff][view]") {
  const std::string t = "table t { a int }\n";
  Plan drop = DiffText(t + "materialized view m as select a from t", t);
  CHECK(Sql(drop) == std::vector<std::string>{"DROP MATERIALIZED VIEW public.m;"});
  CHECK(drop.steps[0].destructive);

  Plan change = DiffText(t + "materialized view m as select a from t\nindex m_a on m (a)",
                         t + "materialized view m as select a, 1 as one from t\nindex m_a on m (a)");
  CHECK(Sql(change) == std::vector<std::string>{
                           "DROP INDEX public.m_a;", "DROP MATERIALIZED VIEW public.m;",
                           "CREATE MATERIALIZED VIEW public.m AS\nselect a, 1 as one from t;",
                           "CREATE INDEX m_a ON public.m (a);"});
  for (const Step& s : change.steps) CHECK(s.requires_allow_drop);
}

TEST_CASE("a lossy type change of a column a view reads holds the view back with it",
          "[diff][view][gate]") {
  Plan plan = DiffText(
      "table t { id int, code varchar(10), other int }\nview v as select id, code from t\n"
      "view u as select id, other from t",
      "table t { id int, code varchar(5), other int }\nview v as select id, code from t\n"
      "view u as select id, other from t");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "DROP VIEW public.v;",
                         "ALTER TABLE public.t ALTER COLUMN code TYPE character varying(5) USING "
                         "code::character varying(5);",
                         "CREATE VIEW public.v AS\nselect id, code from t;"});
  // Without --allow-drop none of it runs (the view is not left dropped); u does not read `code`.
  for (const Step& s : plan.steps) CHECK(s.requires_allow_drop);
  CHECK(plan.steps[1].destructive);
  REQUIRE(plan.steps[0].tied_to);
  CHECK(*plan.steps[0].tied_to == 1);
  CHECK(*plan.steps[2].tied_to == 1);

  // A safe change recreates the view too, and nothing is withheld.
  Plan safe = DiffText("table t { id int, code varchar(5) }\nview v as select id, code from t",
                       "table t { id int, code varchar(10) }\nview v as select id, code from t");
  CHECK(Sql(safe).size() == 3);
  for (const Step& s : safe.steps) CHECK_FALSE(s.requires_allow_drop);
}

TEST_CASE("a safe type change of a column a changed materialized view reads waits for its drop",
          "[diff][view][gate]") {
  // The materialized view's drop is destructive and runs late, behind --allow-drop; the column
  // change cannot run before it (the view still uses the column), so it is withheld with it.
  Plan plan = DiffText("table t { id int, code varchar(10) }\nmaterialized view m as select code from t",
                       "table t { id int, code text }\nmaterialized view m as select 1 as one");
  const size_t drop = IndexOf(plan, "DROP MATERIALIZED VIEW public.m;");
  const size_t alter = IndexOf(plan, "ALTER TABLE public.t ALTER COLUMN code TYPE text");
  CHECK(drop < alter);
  CHECK(plan.steps[alter].requires_allow_drop);
  CHECK_FALSE(plan.steps[alter].destructive);
}

// The diff with castability given as a list of pairs (from, to) that have no cast.
Plan DiffNoCast(const std::string& from, const std::string& to,
                std::set<std::pair<std::string, std::string>> no_cast) {
  model::Catalog a = Compile(from);
  model::Catalog b = Compile(to);
  DiffOptions options;
  options.has_cast = [no_cast](const model::TypeName& x, const model::TypeName& y) {
    return !no_cast.contains({x.ToSql(), y.ToSql()});
  };
  Plan plan = Diff(a, b, options);
  INFO(Format(plan));
  CheckInvariants(plan);
  CHECK(Format(Diff(a, b, options)) == Format(plan));
  return plan;
}

TEST_CASE("a type change without a cast drops and adds the column, gated", "[diff][column][cast]") {
  const std::set<std::pair<std::string, std::string>> no_cast = {
      {"bigint", "timestamp without time zone"}};
  Plan plan = DiffNoCast("table t { id int primary key, at bigint, n bigint }",
                         "table t { id int primary key, at timestamp not null, n bigint }", no_cast);
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.t DROP COLUMN at;",
                         "ALTER TABLE public.t ADD COLUMN at timestamp without time zone NOT NULL;"});
  CHECK(plan.steps[0].destructive);
  CHECK(Has(plan.steps[0], Hazard::DeletesData));
  CHECK(plan.steps[1].requires_allow_drop);
  CHECK(Has(plan.steps[1], Hazard::MayFailOnExistingRows));
  CHECK(plan.steps[0].summary.find("has no cast") != std::string::npos);

  // With a cast (the default: no castability known) it is an ALTER COLUMN TYPE.
  Plan castable = DiffText("table t { at bigint }", "table t { at timestamp }");
  CHECK(HasStep(castable, "ALTER TABLE public.t ALTER COLUMN at TYPE timestamp"));
  // Between two enums the conversion goes through text: never asked, never dropped.
  Plan enums = DiffNoCast("enum a { x }\nenum b { x }\ntable t { e a }",
                          "enum a { x }\nenum b { x }\ntable t { e b }", {{"public.a", "public.b"}});
  CHECK(HasStep(enums, "ALTER TABLE public.t ALTER COLUMN e TYPE public.b USING e::text::public.b;"));
}

TEST_CASE("a key column without a cast takes its key, foreign keys and views with it",
          "[diff][column][cast]") {
  const std::set<std::pair<std::string, std::string>> no_cast = {
      {"bigint", "timestamp without time zone"}};
  Plan plan = DiffNoCast(
      "table p { id bigint primary key }\ntable c { p_id bigint references p (id) }\n"
      "view v as select id from p",
      "table p { id timestamp primary key }\ntable c { p_id timestamp references p (id) }\n"
      "view v as select id from p",
      no_cast);
  const size_t fk_drop = IndexOf(plan, "ALTER TABLE public.c DROP CONSTRAINT c_p_id_fkey;");
  const size_t view_drop = IndexOf(plan, "DROP VIEW public.v;");
  const size_t col_drop = IndexOf(plan, "ALTER TABLE public.p DROP COLUMN id;");
  const size_t col_add = IndexOf(plan, "ALTER TABLE public.p ADD COLUMN id timestamp");
  const size_t pk_add = IndexOf(plan, "ALTER TABLE public.p ADD CONSTRAINT p_pkey PRIMARY KEY");
  const size_t fk_add = IndexOf(plan, "ALTER TABLE public.c ADD CONSTRAINT c_p_id_fkey");
  const size_t view_add = IndexOf(plan, "CREATE VIEW public.v");
  CHECK(fk_drop < col_drop);
  CHECK(view_drop < col_drop);
  CHECK(col_drop < col_add);
  CHECK(col_add < pk_add);
  CHECK(pk_add < fk_add);
  CHECK(col_add < view_add);
  CHECK(HasStep(plan, "ALTER TABLE public.c DROP COLUMN p_id;"));
  for (const Step& s : plan.steps) CHECK(s.requires_allow_drop);
}

TEST_CASE("a column leaving the primary key loses its NOT NULL after the key is dropped",
          "[diff][column][constraint]") {
  Plan plan = DiffText("table t { id int not null primary key, foo int not null }",
                       "table t { id int, foo int not null primary key }");
  const size_t drop_key = IndexOf(plan, "ALTER TABLE public.t DROP CONSTRAINT t_pkey;");
  const size_t nullable = IndexOf(plan, "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL;");
  CHECK(drop_key < nullable);

  // When the key's removal is withheld (its new form waits for a lossy change), so is DROP NOT NULL.
  Plan gated = DiffText("table t { id int not null primary key, foo text not null }",
                        "table t { id int, foo int not null primary key }");
  CHECK(IndexOf(gated, "ALTER TABLE public.t DROP CONSTRAINT t_pkey;") <
        IndexOf(gated, "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL;"));
  CHECK(StepStarting(gated, "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL;").requires_allow_drop);
}

TEST_CASE("a sql routine is created after the columns its body names", "[diff][function][order]") {
  Plan plan = DiffText(
      "table users { }\nprocedure add_user(n text) language sql as $$ insert into users default values $$",
      "table users { id int\n name text }\n"
      "procedure add_user(n text) language sql as $$ insert into users (id, name) values (1, n) $$");
  const size_t proc = IndexOf(plan, "CREATE OR REPLACE PROCEDURE public.add_user");
  CHECK(IndexOf(plan, "ALTER TABLE public.users ADD COLUMN id") < proc);
  CHECK(IndexOf(plan, "ALTER TABLE public.users ADD COLUMN name") < proc);
}


// ---- functions, triggers, policies -------------------------------------------------------------

TEST_CASE("functions: create, replace, recreate, drop", "[diff][function]") {
  const std::string f1 = "function f(x integer) returns integer language sql as $$ select x $$";
  const std::string f2 = "function f(x integer) returns integer language sql immutable as $$ select x + 1 $$";
  CHECK(Sql(DiffText("", f1)) ==
        std::vector<std::string>{"CREATE FUNCTION public.f(x integer) RETURNS integer\n"
                                 "  LANGUAGE sql\n  AS $$ select x $$;"});
  Plan replace = DiffText(f1, f2);
  CHECK(Sql(replace) == std::vector<std::string>{
                            "CREATE OR REPLACE FUNCTION public.f(x integer) RETURNS integer\n"
                            "  LANGUAGE sql IMMUTABLE\n  AS $$ select x + 1 $$;"});
  CHECK(replace.steps[0].action == '~');

  Plan result = DiffText(f1, "function f(x integer) returns bigint language sql as $$ select x::bigint $$");
  CHECK(Sql(result) == std::vector<std::string>{
                           "DROP FUNCTION public.f(integer);",
                           "CREATE FUNCTION public.f(x integer) RETURNS bigint\n  LANGUAGE sql\n"
                           "  AS $$ select x::bigint $$;"});
  Plan renamed_arg = DiffText(f1, "function f(y integer) returns integer language sql as $$ select y $$");
  CHECK(HasStep(renamed_arg, "DROP FUNCTION public.f(integer);"));

  // Another argument list is another function.
  Plan overload = DiffText(f1, "function f(x bigint) returns integer language sql as $$ select 1 $$");
  CHECK(Sql(overload) == std::vector<std::string>{
                             "CREATE FUNCTION public.f(x bigint) RETURNS integer\n  LANGUAGE sql\n"
                             "  AS $$ select 1 $$;",
                             "DROP FUNCTION public.f(integer);"});
  CHECK(Sql(DiffText("procedure p() language sql as $$ select 1 $$", "")) ==
        std::vector<std::string>{"DROP PROCEDURE public.p();"});
}

TEST_CASE("a recreated trigger function takes its triggers with it", "[diff][function][trigger]") {
  const std::string t = "table t { id int, at timestamptz }\n"
                        "trigger t_touch before update on t for each row execute function touch()\n";
  Plan plan = DiffText(
      t + "function touch() returns trigger language plpgsql as $$ begin return new; end $$\n"
          "comment on function touch() is 'c'\ngrant execute on function touch() to app",
      t + "function touch() returns trigger language plpgsql security definer as $$ begin return new; end $$\n"
          "comment on function touch() is 'c'\ngrant execute on function touch() to app");
  // Only an attribute changed: replaced in place, the trigger is untouched.
  CHECK(plan.steps.size() == 1);
  CHECK(plan.steps[0].sql.rfind("CREATE OR REPLACE FUNCTION public.touch()", 0) == 0);

  const std::string v = "table t { id int }\nview v as select f(id) as x from t\n";
  Plan recreate = DiffText(
      v + "function f(x integer) returns integer language sql as $$ select x $$\n"
          "grant execute on function f(integer) to app",
      v + "function f(x integer) returns bigint language sql as $$ select x::bigint $$\n"
          "grant execute on function f(integer) to app");
  CHECK(Sql(recreate) == std::vector<std::string>{
                             "DROP VIEW public.v;",
                             "DROP FUNCTION public.f(integer);",
                             "CREATE FUNCTION public.f(x integer) RETURNS bigint\n  LANGUAGE sql\n"
                             "  AS $$ select x::bigint $$;",
                             "CREATE VIEW public.v AS\nselect f(id) as x from t;",
                             "GRANT EXECUTE ON FUNCTION public.f(integer) TO app;"});
}

TEST_CASE("triggers: create, change, drop, comment", "[diff][trigger]") {
  const std::string base = "table t { id int }\n"
                           "function touch() returns trigger language plpgsql as $$ begin return new; end $$\n";
  const std::string trig = "trigger t_touch before update on t for each row execute function touch()";
  CHECK(Sql(DiffText(base, base + trig)) ==
        std::vector<std::string>{"CREATE TRIGGER t_touch BEFORE UPDATE ON public.t FOR EACH ROW "
                                 "EXECUTE FUNCTION public.touch();"});
  CHECK(Sql(DiffText(base + trig, base)) ==
        std::vector<std::string>{"DROP TRIGGER t_touch ON public.t;"});
  Plan change = DiffText(base + trig,
                         base + "trigger t_touch before insert or update on t for each row execute function touch()");
  CHECK(Sql(change) == std::vector<std::string>{
                           "DROP TRIGGER t_touch ON public.t;",
                           "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON public.t FOR EACH ROW "
                           "EXECUTE FUNCTION public.touch();"});
  CHECK(Sql(DiffText(base + trig, base + trig + "\ncomment on trigger t_touch on t is 'x'")) ==
        std::vector<std::string>{"COMMENT ON TRIGGER t_touch ON public.t IS 'x';"});
  // Triggers of a dropped table go with it.
  CHECK(Sql(DiffText(base + trig, "function touch() returns trigger language plpgsql as $$ begin return new; end $$")) ==
        std::vector<std::string>{"DROP TABLE public.t;"});
}

TEST_CASE("policies: create, alter in place, recreate, drop, rename", "[diff][policy]") {
  const std::string t = "table t { owner text }\nrow level security on t\n";
  CHECK(Sql(DiffText(t, t + "policy own on t for select to app using (owner = current_user)")) ==
        std::vector<std::string>{
            "CREATE POLICY own ON public.t FOR SELECT TO app USING (owner = current_user);"});
  Plan alter = DiffText(t + "policy own on t for select to app using (owner = current_user)",
                        t + "policy own on t for select to app, admin using (owner = session_user)");
  CHECK(Sql(alter) == std::vector<std::string>{
                          "ALTER POLICY own ON public.t TO admin, app USING (owner = session_user);"});
  Plan recreate = DiffText(t + "policy own on t for select using (true)",
                           t + "policy own on t for update using (true)");
  CHECK(Sql(recreate) == std::vector<std::string>{
                             "DROP POLICY own ON public.t;",
                             "CREATE POLICY own ON public.t FOR UPDATE USING (true);"});
  CHECK(Sql(DiffText(t + "policy own on t using (true)", t)) ==
        std::vector<std::string>{"DROP POLICY own ON public.t;"});
  Plan rename = DiffText(t + "policy own on t using (true)",
                         t + "policy mine on t renamed from own using (true)");
  CHECK(Sql(rename) == std::vector<std::string>{"ALTER POLICY own ON public.t RENAME TO mine;"});
}

// ---- grants -------------------------------------------------------------------------------------

TEST_CASE("grants: grant and revoke the difference", "[diff][grant]") {
  const std::string t = "table t { a int, b int }\n";
  Plan plan = DiffText(t + "grant select, insert on t to app\ngrant select (a) on t to ro",
                       t + "grant select, update on t to app\ngrant select (a, b) on t to ro");
  CHECK(Sql(plan) == std::vector<std::string>{"REVOKE INSERT ON TABLE public.t FROM app;",
                                               "GRANT UPDATE ON TABLE public.t TO app;",
                                               "GRANT SELECT (b) ON TABLE public.t TO ro;"});
  Plan option = DiffText(t + "grant select on t to app", t + "grant select on t to app with grant option");
  CHECK(Sql(option) == std::vector<std::string>{"REVOKE SELECT ON TABLE public.t FROM app;",
                                                 "GRANT SELECT ON TABLE public.t TO app WITH GRANT OPTION;"});
  // Nothing is revoked on a table that is dropped.
  CHECK(Sql(DiffText(t + "grant select on t to app", "")) ==
        std::vector<std::string>{"DROP TABLE public.t;"});
  CHECK(Sql(DiffText("schema s\ngrant usage on schema s to app", "schema s")) ==
        std::vector<std::string>{"REVOKE USAGE ON SCHEMA s FROM app;"});
}

TEST_CASE("grants on the sequence of an identity column are compared like any other", "[diff][grant]") {
  // The sequence is no object of the model (neither side lists it), but its grants are.
  const std::string t = "table t { id bigint generated always as identity primary key }\n";
  CHECK(DiffText(t + "grant usage on sequence t_id_seq to app", t + "grant usage on sequence t_id_seq to app")
            .steps.empty());
  CHECK(Sql(DiffText(t, t + "grant usage on sequence t_id_seq to app")) ==
        std::vector<std::string>{"GRANT USAGE ON TABLE public.t_id_seq TO app;"});
  CHECK(Sql(DiffText(t + "grant select, usage on sequence t_id_seq to app", t + "grant usage on sequence t_id_seq to app")) ==
        std::vector<std::string>{"REVOKE SELECT ON TABLE public.t_id_seq FROM app;"});
}


// ---- comments, ordering, determinism ------------------------------------------------------------

TEST_CASE("comments on every kind of object", "[diff][comment]") {
  const std::string objects = R"(
extension pg_trgm
schema s
enum s.e { a }
domain s.d as int
type s.c as (a int)
sequence s.q
table s.t {
  id int primary key
  v  text
  index t_v (v)
}
view s.v as select id from s.t
materialized view s.m as select id from s.t
function s.f() returns trigger language plpgsql as $$ begin return new; end $$
trigger tr before update on s.t for each row execute function s.f()
policy p on s.t using (true)
)";
  const std::string comments = R"(
comment on extension pg_trgm is 'x'
comment on schema s is 'x'
comment on type s.e is 'x'
comment on domain s.d is 'x'
comment on type s.c is 'x'
comment on sequence s.q is 'x'
comment on table s.t is 'x'
comment on column s.t.v is 'x'
comment on constraint t_pkey on s.t is 'x'
comment on index s.t_v is 'x'
comment on view s.v is 'x'
comment on materialized view s.m is 'x'
comment on function s.f() is 'x'
comment on trigger tr on s.t is 'x'
comment on policy p on s.t is 'x'
)";
  Plan set = DiffText(objects, objects + comments);
  CHECK(set.steps.size() == 15);
  for (const Step& step : set.steps) {
    CHECK(step.sql.rfind("COMMENT ON ", 0) == 0);
    CHECK(step.sql.find(" IS 'x';") != std::string::npos);
    CHECK(step.hazards.empty());
  }
  Plan removed = DiffText(objects + comments, objects);
  CHECK(removed.steps.size() == 15);
  for (const Step& step : removed.steps) CHECK(step.sql.find(" IS NULL;") != std::string::npos);
  CHECK(HasStep(removed, "COMMENT ON CONSTRAINT t_pkey ON s.t IS NULL;"));
  CHECK(HasStep(removed, "COMMENT ON FUNCTION s.f() IS NULL;"));
}

TEST_CASE("creates follow what they use: type values, columns, indexes, views, grants",
          "[diff][order]") {
  Plan plan = DiffText("enum st { a }\ntable t { id int, s st }",
                       "enum st { a, b }\ntable t { id int, s st default 'b', n int }\n"
                       "index t_n on t (n)\nview v as select n from t\n"
                       "grant select (n) on t to app\ntable u { x int, comment 'new' }\n"
                       "grant select (x) on u to app");
  CHECK(IndexOf(plan, "ALTER TYPE public.st ADD VALUE 'b'") <
        IndexOf(plan, "ALTER TABLE public.t ALTER COLUMN s SET DEFAULT 'b'"));
  CHECK_FALSE(StepStarting(plan, "ALTER TYPE public.st ADD VALUE").transactional);
  CHECK(IndexOf(plan, "ALTER TABLE public.t ADD COLUMN n") < IndexOf(plan, "CREATE INDEX t_n"));
  CHECK(IndexOf(plan, "ALTER TABLE public.t ADD COLUMN n") < IndexOf(plan, "CREATE VIEW public.v"));
  CHECK(IndexOf(plan, "ALTER TABLE public.t ADD COLUMN n") < IndexOf(plan, "GRANT SELECT (n)"));
  CHECK(IndexOf(plan, "CREATE TABLE public.u") < IndexOf(plan, "GRANT SELECT (x)"));
  CHECK(IndexOf(plan, "CREATE TABLE public.u") < IndexOf(plan, "COMMENT ON TABLE public.u"));
}

TEST_CASE("drops come after their users, indexes on a dropped column go first",
          "[diff][order]") {
  Plan plan = DiffText("table t {\n id int\n old text\n index t_old (old)\n}\nview v as select old from t",
                       "table t { id int }");
  CHECK(Sql(plan) == std::vector<std::string>{"DROP VIEW public.v;", "DROP INDEX public.t_old;",
                                               "ALTER TABLE public.t DROP COLUMN old;"});
  CHECK_FALSE(plan.steps[0].requires_allow_drop);
  CHECK_FALSE(plan.steps[1].requires_allow_drop);
  CHECK(plan.steps[2].requires_allow_drop);
}

TEST_CASE("a renamed table with changes: the rename first, then the alters under the new name",
          "[diff][rename][order]") {
  Plan plan = DiffText("table a {\n id int\n note text\n}",
                       "table b renamed from a {\n id int\n remark text renamed from note\n extra int\n}");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.a RENAME TO b;",
                         "ALTER TABLE public.b RENAME COLUMN note TO remark;",
                         "ALTER TABLE public.b ADD COLUMN extra integer;"});
}

TEST_CASE("the same inputs give the same bytes, whichever way they were compiled",
          "[diff][determinism]") {
  const std::string from = kBase + "view v as select id from users\nenum e { a, b }";
  const std::string to = "table users {\n id bigint primary key\n email text\n}\n"
                         "view v as select id, email from users\nenum e { b }\nsequence s";
  Plan first = Diff(Compile(from), Compile(to));
  Plan second = Diff(Compile(from), Compile(to));
  CHECK(Format(first) == Format(second));
  CHECK(Sql(first) == Sql(second));
}

// ---- live models without deps (as the runtime's introspection reads them) -----------------------

// The live side as runtime/catalog produces it: no deps (they are inferred from the names its
// embedded SQL mentions, which PostgreSQL prints schema-qualified).
model::Catalog WithoutDeps(model::Catalog c) {
  for (auto& x : c.domains) x.deps.clear();
  for (auto& x : c.composite_types) x.deps.clear();
  for (auto& x : c.tables) x.deps.clear();
  for (auto& x : c.indexes) x.deps.clear();
  for (auto& x : c.views) x.deps.clear();
  for (auto& x : c.functions) x.deps.clear();
  for (auto& x : c.triggers) x.deps.clear();
  for (auto& x : c.policies) x.deps.clear();
  return c;
}

TEST_CASE("dependents are found from the names a live object's SQL mentions", "[diff][deps]") {
  // A view reading a column whose type changes, named schema-qualified as the runtime prints it.
  model::Catalog live = WithoutDeps(Compile(
      "schema s\ntable s.t { id int, code varchar(10) }\n"
      "view s.v as select t.id, t.code from s.t\nview s.w as select v.id from s.v"));
  model::Catalog target = Compile(
      "schema s\ntable s.t { id int, code varchar(20) }\n"
      "view s.v as select t.id, t.code from s.t\nview s.w as select v.id from s.v");
  Plan plan = Diff(live, target);
  INFO(Format(plan));
  CheckInvariants(plan);
  CHECK(Sql(plan) == std::vector<std::string>{
                         "DROP VIEW s.w;", "DROP VIEW s.v;",
                         "ALTER TABLE s.t ALTER COLUMN code TYPE character varying(20) USING "
                         "code::character varying(20);",
                         "CREATE VIEW s.v AS\nselect t.id, t.code from s.t;",
                         "CREATE VIEW s.w AS\nselect v.id from s.v;"});

  // Dropping objects that use each other: users first.
  model::Catalog gone = WithoutDeps(Compile(
      "schema s\ntable s.t { id int }\nfunction s.f() returns bigint language sql "
      "as $$ select count(*) from s.t $$\nview s.v as select s.f() as n\n"));
  Plan drop = Diff(gone, Compile("schema s\ntable s.t { id int }"));
  INFO(Format(drop));
  CHECK(Sql(drop) == std::vector<std::string>{"DROP VIEW s.v;", "DROP FUNCTION s.f();"});
}

TEST_CASE("a column default that calls a recreated function is reset around it", "[diff][deps]") {
  const std::string t = "table t { id int default f() }\n";
  model::Catalog live = WithoutDeps(Compile(
      t + "function f() returns integer language sql as $$ select 1 $$"));
  model::Catalog target = Compile(t + "function f() returns bigint language sql as $$ select 1::bigint $$");
  Plan plan = Diff(live, target);
  INFO(Format(plan));
  CheckInvariants(plan);
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.t ALTER COLUMN id DROP DEFAULT;",
                         "DROP FUNCTION public.f();",
                         "CREATE FUNCTION public.f() RETURNS bigint\n  LANGUAGE sql\n"
                         "  AS $$ select 1::bigint $$;",
                         "ALTER TABLE public.t ALTER COLUMN id SET DEFAULT f();"});
}

TEST_CASE("a live model without deps still compares equal to its target",
          "[diff][identity][deps]") {
  for (const std::string path : {"schemas/shop", "schemas/sketch.schema"}) {
    INFO(path);
    model::Catalog catalog = CompilePaths({std::string(SCHEMAC_SOURCE_DIR) + "/" + path});
    Plan plan = Diff(WithoutDeps(catalog), catalog);
    INFO(Format(plan));
    CHECK(plan.Empty());
  }
}

TEST_CASE("a target without deps (read from a database) is created in dependency order too",
          "[diff][deps]") {
  // `schemac diff` of two databases: the target is a live model. A `language sql` body is checked
  // when the function is created, so the table it reads comes first; views over views likewise.
  model::Catalog to = WithoutDeps(Compile(
      "schema s\n"
      "table s.orders { id bigint primary key, total integer }\n"
      "function a_total(p bigint) returns integer language sql stable\n"
      "  as $$ select total from s.orders where id = p $$\n"
      "view z_base as select id, total from s.orders\n"
      "view a_top as select id from public.z_base where total > 100\n"));
  Plan plan = Diff(model::Catalog{}, to);
  INFO(Format(plan));
  CheckInvariants(plan);
  CHECK(IndexOf(plan, "CREATE TABLE s.orders") < IndexOf(plan, "CREATE FUNCTION public.a_total"));
  CHECK(IndexOf(plan, "CREATE VIEW public.z_base") < IndexOf(plan, "CREATE VIEW public.a_top"));
}

TEST_CASE("moving a table to another schema takes its indexes and owned sequences along",
          "[diff][rename]") {
  Plan plan = DiffText(
      "schema a\nschema b\nsequence a.t_seq owned by a.t.id\n"
      "table a.t {\n id bigint default nextval('a.t_seq')\n index t_id (id)\n}",
      "schema a\nschema b\nsequence b.t_seq owned by b.t.id\n"
      "table b.t renamed from a.t {\n id bigint default nextval('b.t_seq')\n index t_id (id)\n}");
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE a.t SET SCHEMA b;",
                         "ALTER TABLE b.t ALTER COLUMN id SET DEFAULT nextval('b.t_seq');"});
  CHECK_FALSE(AnyDrop(plan));

  Plan matview = DiffText("table t { a int }\nmaterialized view m as select a from t",
                          "table t { a int }\nmaterialized view n renamed from m as select a from t");
  CHECK(Sql(matview) == std::vector<std::string>{"ALTER MATERIALIZED VIEW public.m RENAME TO n;"});
  CHECK_FALSE(matview.steps[0].requires_allow_drop);
}

// ---- a realistic change set ---------------------------------------------------------------------

TEST_CASE("the shop schema: a release with renames, additions and a withheld drop",
          "[diff][shop]") {
  model::Catalog live = CompilePaths({std::string(SCHEMAC_SOURCE_DIR) + "/schemas/shop"});
  model::Catalog target = live;
  // Rename a table (the way `renamed from` arrives in a compiled target), drop a column, add one.
  for (model::Table& t : target.tables) {
    if (t.name == model::QualifiedName{"sales", "shipments"}) {
      t.name.name = "deliveries";
      t.renamed_from = model::QualifiedName{"sales", "shipments"};
    }
    if (t.name == model::QualifiedName{"catalog", "warehouses"}) {
      t.columns.pop_back();
      model::Column c;
      c.name = "country";
      c.type = {"pg_catalog", "text", "", 0};
      t.columns.push_back(c);
    }
  }
  for (model::Index& i : target.indexes) {
    if (i.table == model::QualifiedName{"sales", "shipments"}) i.table.name = "deliveries";
  }
  for (model::Trigger& t : target.triggers) {
    if (t.table == model::QualifiedName{"sales", "shipments"}) t.table.name = "deliveries";
  }
  for (model::Table& t : target.tables) {
    for (model::Constraint& c : t.constraints) {
      if (c.ref_table == model::QualifiedName{"sales", "shipments"}) {
        c.ref_table.name = "deliveries";
      }
    }
  }
  Plan plan = Diff(live, target);
  INFO(Format(plan));
  CheckInvariants(plan);
  CHECK(plan.steps.front().sql == "ALTER TABLE sales.shipments RENAME TO deliveries;");
  CHECK_FALSE(HasStep(plan, "DROP TABLE"));
  CHECK(HasStep(plan, "ALTER TABLE catalog.warehouses ADD COLUMN country text;"));
  const Step& drop = plan.steps.back();
  CHECK(drop.sql.find("ALTER TABLE catalog.warehouses DROP COLUMN") == 0);
  CHECK(drop.destructive);
  CHECK(Diff(target, target).Empty());
}


// ---- speed (hidden: run with `diff_test [.perf]`) -----------------------------------------------

// The benchmark's shape: N tables of 10 columns with a primary key, a unique, a check, two indexes
// (one partial) and a foreign key each.
model::Catalog BenchCatalog(int n) {
  model::Catalog c;
  c.schemas.push_back({.name = "public", .comment = {}, .renamed_from = {}, .loc = {}});
  for (int i = 0; i < n; ++i) {
    model::Table t;
    t.name = {"public", "t" + std::to_string(100000 + i)};
    for (int k = 0; k < 10; ++k) {
      model::Column col;
      col.name = "c" + std::to_string(k);
      col.type = {"pg_catalog", k == 0 ? "bigint" : "text", "", 0};
      col.not_null = k < 2;
      if (k == 3) col.default_expr = model::Expr{"'x'::text", {}};
      t.columns.push_back(col);
    }
    model::Constraint pk;
    pk.kind = model::ConstraintKind::PrimaryKey;
    pk.name = t.name.name + "_pkey";
    pk.columns = {"c0"};
    model::Constraint uq;
    uq.kind = model::ConstraintKind::Unique;
    uq.name = t.name.name + "_c1_key";
    uq.columns = {"c1"};
    model::Constraint ck;
    ck.kind = model::ConstraintKind::Check;
    ck.name = t.name.name + "_c2_check";
    ck.expression = model::Expr{"(length(c2) < 100)", {}};
    t.constraints = {ck, uq, pk};
    if (i > 0) {
      model::Constraint fk;
      fk.kind = model::ConstraintKind::ForeignKey;
      fk.name = t.name.name + "_c4_fkey";
      fk.columns = {"c0"};
      fk.ref_table = {"public", "t" + std::to_string(100000 + i - 1)};
      fk.ref_columns = {"c0"};
      fk.match = "simple";
      t.constraints.push_back(fk);
    }
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    for (int k = 0; k < 2; ++k) {
      model::Index index;
      index.name = {"public", t.name.name + "_i" + std::to_string(k)};
      index.table = t.name;
      index.elements.push_back({.expression = "c" + std::to_string(5 + k), .is_column = true,
                                .collation = {}, .opclass = {}, .descending = false,
                                .nulls_first = {}, .exclude_operator = {}});
      if (k == 1) index.where = model::Expr{"(c5 IS NOT NULL)", {}};
      c.indexes.push_back(index);
    }
    c.tables.push_back(std::move(t));
  }
  return c;
}

TEST_CASE("storage parameters change in place: SET the new, RESET the removed, no rebuild", "[diff][storage]") {
  const std::string from =
      "table t with (fillfactor = 70, autovacuum_enabled = false) {\n  id bigint primary key\n  v text\n"
      "  index t_v (v) with (fillfactor = 80)\n}\n";
  const std::string to =
      "table t with (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05) {\n  id bigint primary key\n"
      "  v text\n  index t_v (v) with (deduplicate_items = off)\n}\n";
  const Plan plan = DiffText(from, to);
  INFO(Format(plan));
  CHECK(Sql(plan) == std::vector<std::string>{
                         "ALTER TABLE public.t SET (autovacuum_vacuum_scale_factor=0.05, fillfactor=90);",
                         "ALTER TABLE public.t RESET (autovacuum_enabled);",
                         "ALTER INDEX public.t_v SET (deduplicate_items=off);",
                         "ALTER INDEX public.t_v RESET (fillfactor);"});
  CHECK_FALSE(AnyDrop(plan));
  CHECK(DiffText(to, to).steps.empty());
  // Removing every parameter: only RESETs.
  const Plan none = DiffText(from, "table t {\n  id bigint primary key\n  v text\n  index t_v (v)\n}\n");
  CHECK(Sql(none) == std::vector<std::string>{"ALTER TABLE public.t RESET (autovacuum_enabled, fillfactor);",
                                              "ALTER INDEX public.t_v RESET (fillfactor);"});
}

TEST_CASE("storage parameters are part of CREATE TABLE and CREATE INDEX", "[diff][storage]") {
  const Plan plan = DiffText("", "table t with (fillfactor = 70) {\n  id bigint primary key\n  v text\n"
                                 "  index t_v (v) with (fillfactor = 60) where v <> ''\n}\n");
  CHECK(StepStarting(plan, "CREATE TABLE public.t").sql.find(") WITH (fillfactor=70);") != std::string::npos);
  CHECK(StepStarting(plan, "CREATE INDEX t_v").sql.find(" WITH (fillfactor=60) WHERE") != std::string::npos);
}

TEST_CASE("speed of a no-change plan and a one-change plan", "[.perf]") {
  for (int n : {1000, 10000}) {
    model::Catalog live = BenchCatalog(n);
    model::Catalog target = live;
    auto start = std::chrono::steady_clock::now();
    Plan same = Diff(live, target);
    auto middle = std::chrono::steady_clock::now();
    target.tables[n / 2].columns[9].type = {"pg_catalog", "character varying", "(20)", 0};
    Plan one = Diff(live, target);
    auto end = std::chrono::steady_clock::now();
    CHECK(same.steps.empty());
    CHECK(one.steps.size() == 1);
    using Ms = std::chrono::duration<double, std::milli>;
    std::cout << n << " tables: no change " << Ms(middle - start).count() << " ms, one change "
              << Ms(end - middle).count() << " ms\n";
  }
}

}  // namespace
}  // namespace schemac::diff
