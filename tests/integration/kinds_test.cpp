// Every object kind of the language through the CLI, as users run it, against a real PostgreSQL:
// created from empty, each attribute changed, dropped without and with --allow-drop, renamed with
// rows present. After every apply a plan must find nothing left to do (or only the withheld,
// destructive steps). Then a data-safety test (destructive changes withheld, every stored value
// kept, a failing destructive stage rolled back whole) and concurrent applies (of the same target;
// with too short a wait; with a plan that went out of date while waiting).
//
// Each kind's TEST_CASE is a list of steps: a complete schema text, the exit code `schemac apply`
// must return, and SQL checks against the live database afterwards. Every test has its own scratch
// database and temporary directory (ctest runs them in parallel), and passes --dev-db so that
// normalization uses scratch databases on the test server instead of starting a cluster.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "runtime/pg/connection.h"
#include "tests/support/pgtest.h"

namespace {

constexpr const char* kNoChanges = "No changes: the database matches the schema.\n";

struct RunResult {
  int exit = 0;
  std::string out, err;
};

RunResult Schemac(std::vector<std::string> args) {
  std::ostringstream out, err;
  RunResult r;
  r.exit = schemac::cli::Run(args, out, err, false);
  r.out = out.str();
  r.err = err.str();
  return r;
}

void CreateRoles(schemac::pg::Connection& c, const std::vector<std::string>& roles) {
  for (const std::string& role : roles) {
    c.Exec("DO $$ BEGIN CREATE ROLE \"" + role +
           "\"; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
  }
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// One SQL check: the first column of the first row (NULL as "NULL"), or "<no rows>".
struct Check {
  std::string sql = {};
  std::string expected = {};
};

struct Step {
  std::string what = {};       // for failure messages
  std::string schema = {};     // the whole target
  int exit = 0;                // of `schemac apply` (without --allow-drop unless allow_drop)
  std::vector<Check> checks = {};  // after the apply
  bool allow_drop = false;
  std::string before = {};     // SQL run on the live database before the apply (rows, ...)
  std::vector<std::string> out_has = {};    // the apply's standard output contains these
  std::vector<std::string> out_lacks = {};  // ... and not these
  std::vector<std::string> err_has = {};    // its standard error contains these
};

// A scratch database, a temporary directory for the .schema file, and the steps runner.
class Kinds {
 public:
  explicit Kinds(const std::string& label)
      : db_(label), conn_(db_.conninfo()),
        dir_(std::filesystem::temp_directory_path() / ("schemac_kinds_" + db_.name())) {
    std::filesystem::create_directories(dir_);
  }
  ~Kinds() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  schemac::pg::Connection& conn() { return conn_; }
  const std::string& conninfo() const { return db_.conninfo(); }

  std::string One(const std::string& sql) {
    const auto rows = conn_.Query(sql);
    if (rows.empty()) return "<no rows>";
    return rows[0][0].value_or("NULL");
  }

  // Writes the schema and returns the path.
  std::string Write(const std::string& text, const std::string& file = "target.schema") {
    const std::string path = (dir_ / file).string();
    std::ofstream f(path);
    f << text;
    return path;
  }

  std::vector<std::string> Args(const std::string& command, const std::string& path) const {
    return {command, path, "--db", db_.conninfo(), "--dev-db", schemac::test::TestConninfo()};
  }

  RunResult Plan(const std::string& path, const std::string& format = "text") {
    std::vector<std::string> args = Args("plan", path);
    args.insert(args.end(), {"--format", format});
    return Schemac(args);
  }

  RunResult Apply(const std::string& path, bool allow_drop, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = Args("apply", path);
    args.push_back("--yes");
    if (allow_drop) args.push_back("--allow-drop");
    args.insert(args.end(), extra.begin(), extra.end());
    return Schemac(args);
  }

  // Converged: plan exits 0 and says so. After a withheld apply: what is left is exactly the
  // withheld part (every step needs --allow-drop) and nothing unsupported.
  void ExpectConverged(const std::string& path, bool withheld) {
    if (!withheld) {
      const RunResult plan = Plan(path);
      INFO("plan after apply:\n" << plan.out << plan.err);
      CHECK(plan.exit == 0);
      CHECK(plan.out == kNoChanges);
      return;
    }
    const RunResult plan = Plan(path, "json");
    INFO("plan after a withheld apply:\n" << plan.out << plan.err);
    REQUIRE(plan.exit == 2);
    const nlohmann::json j = nlohmann::json::parse(plan.out);
    CHECK(!j["steps"].empty());
    for (const auto& step : j["steps"]) {
      INFO(step["summary"].get<std::string>());
      CHECK(step["requires_allow_drop"].get<bool>());
    }
    CHECK(j["unsupported"].empty());
  }

  void Run(const std::vector<Step>& steps) {
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& s = steps[i];
      INFO("step " << i + 1 << ": " << s.what << "\n--- schema ---\n" << s.schema << "--------------");
      if (!s.before.empty()) conn_.Exec(s.before);
      const std::string path = Write(s.schema);
      const RunResult r = Apply(path, s.allow_drop);
      INFO("apply" << (s.allow_drop ? " --allow-drop" : "") << " exit " << r.exit << "\n--- out ---\n"
                   << r.out << "--- err ---\n" << r.err);
      REQUIRE(r.exit == s.exit);
      CHECK(!Contains(r.out, "dependency cycle"));
      for (const std::string& text : s.out_has) {
        INFO("apply output should contain: " << text);
        CHECK(Contains(r.out, text));
      }
      for (const std::string& text : s.out_lacks) {
        INFO("apply output should not contain: " << text);
        CHECK(!Contains(r.out, text));
      }
      for (const std::string& text : s.err_has) {
        INFO("apply error output should contain: " << text);
        CHECK(Contains(r.err, text));
      }
      for (const Check& c : s.checks) {
        INFO("check: " << c.sql);
        CHECK(One(c.sql) == c.expected);
      }
      if (s.exit == 0 || s.exit == 3) ExpectConverged(path, s.exit == 3);
    }
  }

 private:
  schemac::test::ScratchDatabase db_;
  schemac::pg::Connection conn_;
  std::filesystem::path dir_;
};

// Checks that are used often.
Check Exists(const std::string& regclass, bool exists = true) {
  return {"SELECT to_regclass('" + regclass + "') IS NOT NULL", exists ? "t" : "f"};
}
Check TypeExists(const std::string& type, bool exists = true) {
  return {"SELECT to_regtype('" + type + "') IS NOT NULL", exists ? "t" : "f"};
}
// All rows of a table, as row text, ordered by the first column.
Check Rows(const std::string& table, const std::string& expected) {
  return {"SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM " + table + " t", expected};
}
Check ColumnType(const std::string& table, const std::string& column, const std::string& type) {
  return {"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + table +
              "'::regclass AND attname = '" + column + "' AND NOT attisdropped",
          type};
}
Check ConstraintDef(const std::string& table, const std::string& name, const std::string& def) {
  return {"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '" + table +
              "'::regclass AND conname = '" + name + "'",
          def};
}
Check Constraints(const std::string& table, const std::string& names) {
  return {"SELECT coalesce(string_agg(conname, ',' ORDER BY conname), '') FROM pg_constraint WHERE conrelid = '" +
              table + "'::regclass",
          names};
}
Check IndexDef(const std::string& index, const std::string& def) {
  return {"SELECT pg_get_indexdef('" + index + "'::regclass)", def};
}
Check Indexes(const std::string& table, const std::string& names) {
  return {"SELECT coalesce(string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid::regclass::text), '') "
          "FROM pg_index WHERE indrelid = '" + table + "'::regclass",
          names};
}
Check Comment(const std::string& obj_sql, const std::string& catalog, const std::string& expected) {
  return {"SELECT coalesce(obj_description(" + obj_sql + ", '" + catalog + "'), 'NULL')", expected};
}

}  // namespace

// ---- extensions and schemas ---------------------------------------------------------------------

TEST_CASE("extension: create, version, schema, comment, drop", "[kinds]") {
  Kinds k("ext");
  const Check version{"SELECT extversion FROM pg_extension WHERE extname = 'hstore'", ""};
  const Check schema{"SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'hstore'", ""};
  k.Run({
      {"create at a version", "extension hstore version '1.4'\n", 0,
       {{version.sql, "1.4"}, {schema.sql, "public"}}},
      {"update the version, comment", "extension hstore version '1.5'\ncomment on extension hstore is 'key/value'\n", 0,
       {{version.sql, "1.5"}, {"SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'hstore'",
                               "key/value"}}},
      {"move to another schema", "schema ext\nextension hstore schema ext version '1.5'\n", 0,
       {{schema.sql, "ext"}, {version.sql, "1.5"}, TypeExists("ext.hstore")}},
      {"no version: whatever is installed stays", "schema ext\nextension hstore schema ext\n", 0,
       {{version.sql, "1.5"}, {"SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'hstore'",
                               "NULL"}}},
      {"drop (holds no data of its own)", "-- nothing\n", 0,
       {{"SELECT count(*) FROM pg_extension WHERE extname = 'hstore'", "0"},
        {"SELECT count(*) FROM pg_namespace WHERE nspname = 'ext'", "0"}}},
  });
}

TEST_CASE("schema: create, comment, rename with rows, drop gated when it holds tables", "[kinds]") {
  Kinds k("schema");
  const std::string table = "  id integer primary key\n  name text\n}\n";
  auto readers = [](const std::string& s) {
    return "view " + s + ".names as select name from " + s + ".t\n"
           "function " + s + ".n() returns bigint language sql stable as $$ select count(*) from " + s + ".t $$\n";
  };
  k.Run({
      {"create", "schema app\ntable app.t {\n" + table + readers("app") + "comment on schema app is 'the app'\n", 0,
       {Exists("app.t"), {"SELECT obj_description('app'::regnamespace, 'pg_namespace')", "the app"}}},
      {"rename with rows, comment changed; a view and a function that read the table follow",
       "schema core renamed from app\ntable core.t {\n" + table + readers("core") + "comment on schema core is 'the core'\n",
       0, {Rows("core.t", "(1,one)|(2,two)"), {"SELECT to_regnamespace('app') IS NULL", "t"},
           {"SELECT obj_description('core'::regnamespace, 'pg_namespace')", "the core"},
           {"SELECT core.n()", "2"}, Rows("core.names", "(one)|(two)")},
       false, "INSERT INTO app.t VALUES (1, 'one'), (2, 'two')", {"ALTER SCHEMA app RENAME TO core;"}, {"DROP TABLE"}},
      {"drop without --allow-drop: withheld, rows stay", "-- nothing\n", 3,
       {Exists("core.t"), Rows("core.t", "(1,one)|(2,two)"), Exists("core.names", false)}, false, "", {"[destructive]"}},
      {"drop with --allow-drop", "-- nothing\n", 0, {{"SELECT to_regnamespace('core') IS NULL", "t"}}, true},
      {"an empty schema", "schema empty_one\n", 0, {{"SELECT to_regnamespace('empty_one') IS NOT NULL", "t"}}},
      {"an empty schema is dropped without --allow-drop", "-- nothing\n", 0,
       {{"SELECT to_regnamespace('empty_one') IS NULL", "t"}}},
  });
}

// ---- types --------------------------------------------------------------------------------------

TEST_CASE("enum: create, add values, comment, rename with rows, remove a value, drop", "[kinds]") {
  Kinds k("enum");
  const Check values{"SELECT enum_range(NULL::feeling)::text", ""};
  auto table = [](const std::string& type) {
    return "table t {\n  id integer primary key\n  m " + type + " not null default 'ok'\n}\n";
  };
  k.Run({
      {"create", "enum mood { sad, ok }\n" + table("mood"), 0, {{"SELECT enum_range(NULL::mood)::text", "{sad,ok}"}}},
      {"add a value at the end", "enum mood { sad, ok, happy }\n" + table("mood"), 0,
       {{"SELECT enum_range(NULL::mood)::text", "{sad,ok,happy}"}, Rows("t", "(1,sad)|(2,ok)")}, false,
       "INSERT INTO t VALUES (1, 'sad'), (2, 'ok')"},
      {"add values in the middle and at the front, comment",
       "enum mood { worse, sad, meh, ok, happy }\ncomment on enum mood is 'feelings'\n" + table("mood"), 0,
       {{"SELECT enum_range(NULL::mood)::text", "{worse,sad,meh,ok,happy}"},
        Comment("'mood'::regtype", "pg_type", "feelings")}},
      {"values reordered: recreated, withheld (the sort order of stored values changes)",
       "enum mood { worse, meh, sad, ok, happy }\n" + table("mood"), 3,
       {{"SELECT enum_range(NULL::mood)::text", "{worse,sad,meh,ok,happy}"}}, false, "", {"values reordered"}},
      {"values reordered with --allow-drop", "enum mood { worse, meh, sad, ok, happy }\n" + table("mood"), 0,
       {{"SELECT enum_range(NULL::mood)::text", "{worse,meh,sad,ok,happy}"}, Rows("t", "(1,sad)|(2,ok)"),
        {"SELECT string_agg(m::text, ',' ORDER BY m) FROM t", "sad,ok"}},
       true},
      {"back in order", "enum mood { worse, sad, meh, ok, happy }\n" + table("mood"), 0,
       {{"SELECT enum_range(NULL::mood)::text", "{worse,sad,meh,ok,happy}"}}, true},
      {"rename with rows", "enum feeling renamed from mood { worse, sad, meh, ok, happy }\n" + table("feeling"), 0,
       {{values.sql, "{worse,sad,meh,ok,happy}"}, Rows("t", "(1,sad)|(2,ok)"), TypeExists("mood", false),
        ColumnType("t", "m", "feeling"), Comment("'feeling'::regtype", "pg_type", "NULL")}},
      {"remove unused values: withheld", "enum feeling { sad, ok, happy }\n" + table("feeling"), 3,
       {{values.sql, "{worse,sad,meh,ok,happy}"}, Rows("t", "(1,sad)|(2,ok)")}},
      {"remove unused values with --allow-drop", "enum feeling { sad, ok, happy }\n" + table("feeling"), 0,
       {{values.sql, "{sad,ok,happy}"}, Rows("t", "(1,sad)|(2,ok)"),
        {"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass", "'ok'::feeling"}},
       true},
      {"a value added and used by a default in the same apply",
       "enum feeling { sad, ok, happy, ecstatic }\ntable t {\n  id integer primary key\n  m feeling not null default 'ecstatic'\n}\n",
       0,
       {{values.sql, "{sad,ok,happy,ecstatic}"},
        {"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass", "'ecstatic'::feeling"}}},
      {"drop the enum with its table: withheld", "-- nothing\n", 3, {TypeExists("feeling"), Exists("t")}},
      {"drop with --allow-drop", "-- nothing\n", 0, {TypeExists("feeling", false), Exists("t", false)}, true},
  });
}

TEST_CASE("domain: create, default, not null, checks, comment, rename with rows, base type, drop", "[kinds]") {
  Kinds k("domain");
  const Check checks{"SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname) "
                     "FROM pg_constraint WHERE contypid = to_regtype('public.amount')",
                     ""};
  const Check props{"SELECT format_type(typbasetype, typtypmod) || ' ' || typnotnull || ' ' || "
                    "coalesce(typdefault, '-') FROM pg_type WHERE oid = to_regtype('public.amount')",
                    ""};
  auto table = [](const std::string& type) {
    return "table t {\n  id integer primary key\n  n " + type + "\n}\n";
  };
  k.Run({
      {"create", "domain posint as integer check (value > 0)\n" + table("posint"), 0,
       {{"SELECT string_agg(conname, ',') FROM pg_constraint WHERE contypid = 'posint'::regtype", "posint_check"}}},
      {"rename with rows", "domain amount renamed from posint as integer check (value > 0)\n" + table("amount"), 0,
       {Rows("t", "(1,5)|(2,7)"), TypeExists("posint", false), ColumnType("t", "n", "amount"),
        {checks.sql, "amount_check CHECK ((VALUE > 0))"}},
       false, "INSERT INTO t VALUES (1, 5), (2, 7)",
       {"RENAME CONSTRAINT posint_check TO amount_check"}, {"DROP CONSTRAINT"}},
      {"default, not null, a named check instead of the unnamed one, comment",
       "domain amount as integer default 1 not null constraint amount_positive check (value > 0)\n"
       "comment on domain amount is 'money'\n" + table("amount"),
       0,
       {{props.sql, "integer true 1"}, {checks.sql, "amount_positive CHECK ((VALUE > 0))"},
        Comment("'amount'::regtype", "pg_type", "money")}},
      {"check expression changed, a second check",
       "domain amount as integer default 1 not null\n  constraint amount_positive check (value >= 1)\n"
       "  constraint amount_small check (value < 1000)\n" + table("amount"),
       0, {{checks.sql, "amount_positive CHECK ((VALUE >= 1)), amount_small CHECK ((VALUE < 1000))"},
           Comment("'amount'::regtype", "pg_type", "NULL")}},
      {"default and not null dropped, check dropped",
       "domain amount as integer constraint amount_positive check (value >= 1)\n" + table("amount"), 0,
       {{props.sql, "integer false -"}, {checks.sql, "amount_positive CHECK ((VALUE >= 1))"}, Rows("t", "(1,5)|(2,7)")}},
      {"base type widened", "domain amount as bigint constraint amount_positive check (value >= 1)\n" + table("amount"), 0,
       {{props.sql, "bigint false -"}, Rows("t", "(1,5)|(2,7)"), ColumnType("t", "n", "amount")}},
      {"column dropped with the domain: withheld", "table t {\n  id integer primary key\n}\n", 3,
       {TypeExists("amount"), Rows("t", "(1,5)|(2,7)")}},
      {"with --allow-drop", "table t {\n  id integer primary key\n}\n", 0, {TypeExists("amount", false), Rows("t", "(1)|(2)")},
       true},
  });
}

TEST_CASE("composite type: create, fields, comment, rename with rows, drop", "[kinds]") {
  Kinds k("composite");
  auto table = [](const std::string& type) {
    return "table t {\n  id integer primary key\n  p " + type + "\n}\n";
  };
  const Check fields{"SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
                     "FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = to_regtype('pair')) "
                     "AND NOT attisdropped",
                     ""};
  const Check fields2{"SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
                      "FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = to_regtype('couple')) "
                      "AND NOT attisdropped",
                      ""};
  k.Run({
      {"create", "type pair as (a integer, b text)\n" + table("pair"), 0, {{fields.sql, "a integer, b text"}}},
      {"add a field, comment", "type pair as (a integer, b text, c boolean)\ncomment on type pair is 'two and a bit'\n" +
                                   table("pair"),
       0, {{fields.sql, "a integer, b text, c boolean"}, Rows("t", "(1,\"(1,x,)\")"),
           Comment("'pair'::regtype", "pg_type", "two and a bit")},
       false, "INSERT INTO t VALUES (1, '(1,x)')"},
      {"rename with rows", "type couple renamed from pair as (a integer, b text, c boolean)\n" + table("couple"), 0,
       {{fields2.sql, "a integer, b text, c boolean"}, Rows("t", "(1,\"(1,x,)\")"), TypeExists("pair", false)}},
      {"field type changed while a column uses the type: unsupported, said so, nothing changed",
       "type couple as (a bigint, b text, c boolean)\n" + table("couple"), 1,
       {{fields2.sql, "a integer, b text, c boolean"}, Rows("t", "(1,\"(1,x,)\")")}, false, "",
       {"! unsupported: type public.couple: attribute a changes type (integer -> bigint)"}, {"Verified"},
       {"unsupported: type public.couple: attribute a changes type"}},
      {"field type changed on a type no column uses",
       "type couple as (a integer, b text, c boolean)\ntype unused as (x integer)\n" + table("couple"), 0,
       {TypeExists("unused")}},
      {"... widened", "type couple as (a integer, b text, c boolean)\ntype unused as (x bigint)\n" + table("couple"), 0,
       {{"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
         "(SELECT typrelid FROM pg_type WHERE oid = 'unused'::regtype) AND attname = 'x'",
         "bigint"}}},
      {"field dropped: withheld (its values are lost)", "type couple as (a integer, b text)\n" + table("couple"), 3,
       {{fields2.sql, "a integer, b text, c boolean"}, Rows("t", "(1,\"(1,x,)\")")}},
      {"field dropped with --allow-drop", "type couple as (a integer, b text)\n" + table("couple"), 0,
       {{fields2.sql, "a integer, b text"}, Rows("t", "(1,\"(1,x)\")")}, true},
      {"dropped with its column: withheld", "table t {\n  id integer primary key\n}\n", 3, {TypeExists("couple")}},
      {"with --allow-drop", "table t {\n  id integer primary key\n}\n", 0, {TypeExists("couple", false)}, true},
  });
}

TEST_CASE("sequence: create, every option, owned by, comment, rename keeps its value, drop", "[kinds]") {
  Kinds k("sequence");
  const std::string params =
      "SELECT format_type(seqtypid, NULL) || ' ' || seqstart || ' ' || seqincrement || ' ' || seqmin || ' ' || seqmax "
      "|| ' ' || seqcache || ' ' || seqcycle FROM pg_sequence WHERE seqrelid = to_regclass('";
  const std::string t = "table t {\n  id integer primary key\n}\n";
  auto user = [](const std::string& seq) {
    return "table u {\n  n bigint default nextval('" + seq + "')\n}\n";
  };
  k.Run({
      {"create", "sequence seq as integer start with 100 increment by 5 minvalue 10 maxvalue 100000\n" + t, 0,
       {{params + "seq')", "integer 100 5 10 100000 1 false"}}},
      {"every option changed", "sequence seq as integer start with 50 increment by 10 minvalue 1 maxvalue 200000 cache 20 cycle\n" + t,
       0, {{params + "seq')", "integer 50 10 1 200000 20 true"}, {"SELECT last_value FROM seq", "105"}}, false,
       "SELECT nextval('seq'); SELECT nextval('seq');"},
      {"type widened, owned by, comment",
       "sequence seq as bigint start with 50 increment by 10 minvalue 1 maxvalue 200000 cache 20 cycle owned by t.id\n"
       "comment on sequence seq is 'numbers'\n" + t,
       0,
       {{params + "seq')", "bigint 50 10 1 200000 20 true"},
        {"SELECT refobjid::regclass::text || '.' || refobjsubid FROM pg_depend WHERE objid = 'seq'::regclass AND deptype = 'a'",
         "t.1"},
        Comment("'seq'::regclass", "pg_class", "numbers"), {"SELECT last_value FROM seq", "105"}}},
      {"no longer owned, back to no cycle and the default cache",
       "sequence seq as bigint start with 50 increment by 10 minvalue 1 maxvalue 200000\n" + t, 0,
       {{params + "seq')", "bigint 50 10 1 200000 1 false"},
        {"SELECT count(*) FROM pg_depend WHERE objid = 'seq'::regclass AND deptype = 'a'", "0"}}},
      {"a column default that uses it",
       "sequence seq as bigint start with 50 increment by 10 minvalue 1 maxvalue 200000\n" + t + user("seq"), 0,
       {{"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'u'::regclass", "nextval('seq'::regclass)"}}},
      {"rename keeps the value, and the default follows",
       "sequence counter renamed from seq as bigint start with 50 increment by 10 minvalue 1 maxvalue 200000\n" + t +
           user("counter"),
       0, {Exists("seq", false), {"SELECT last_value FROM counter", "105"},
           {"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'u'::regclass", "nextval('counter'::regclass)"}},
       false, "", {"ALTER SEQUENCE public.seq RENAME TO counter;"}, {"DROP SEQUENCE"}},
      {"drop: withheld", t, 3, {Exists("counter"), {"SELECT last_value FROM counter", "105"}}, false, "", {"[destructive]"}},
      {"drop with --allow-drop", t, 0, {Exists("counter", false)}, true},
  });
}

// ---- tables and columns -------------------------------------------------------------------------

TEST_CASE("table: create, unlogged, comment, rename and move with rows, drop", "[kinds]") {
  Kinds k("table");
  const std::string body =
      " {\n  id integer primary key\n  name text\n  n bigint generated always as identity\n  index (name)\n";
  const Check persistence{"SELECT relpersistence FROM pg_class WHERE oid = to_regclass('t')", ""};
  const std::string rows = "(1,one,1)|(2,two,2)";
  k.Run({
      {"create", "table t" + body + "}\n", 0, {Exists("t"), {persistence.sql, "p"}}},
      {"unlogged, comment", "unlogged table t" + body + "  comment 'scratch'\n}\n", 0,
       {{persistence.sql, "u"}, Comment("'t'::regclass", "pg_class", "scratch"), Rows("t", rows)}, false,
       "INSERT INTO t VALUES (1, 'one'), (2, 'two')"},
      {"logged again, comment changed", "table t" + body + "  comment 'kept'\n}\n", 0,
       {{persistence.sql, "p"}, Comment("'t'::regclass", "pg_class", "kept"), Rows("t", rows)}},
      {"rename with rows, comment removed: derived names follow", "table t2 renamed from t" + body + "}\n", 0,
       {Exists("t", false), Rows("t2", rows), Comment("'t2'::regclass", "pg_class", "NULL"), Constraints("t2", "t2_pkey"),
        Indexes("t2", "t2_name_idx,t2_pkey")},
       false, "", {"ALTER TABLE public.t RENAME TO t2;"}, {"DROP TABLE", "CREATE TABLE"}},
      {"moved to another schema and renamed, with its indexes and identity sequence",
       "schema app\ntable app.t3 renamed from public.t2" + body + "}\n", 0,
       {Exists("public.t2", false), Rows("app.t3", rows), Indexes("app.t3", "app.t3_name_idx,app.t3_pkey"),
        {"SELECT pg_get_serial_sequence('app.t3', 'n')", "app.t_n_seq"}},
       false, "", {"ALTER TABLE public.t2 SET SCHEMA app;"}, {"DROP TABLE", "CREATE TABLE"}},
      {"drop: withheld, rows stay", "schema app\n", 3, {Rows("app.t3", rows)}, false, "",
       {"table app.t3 (its rows are lost)  [destructive]", "-- withheld (needs --allow-drop): DROP TABLE app.t3;"}},
      {"drop with --allow-drop", "schema app\n", 0, {Exists("app.t3", false)}, true},
  });
}

TEST_CASE("column: type, nullability, default, identity, generated, collation, comment, rename, drop", "[kinds]") {
  Kinds k("column");
  auto schema = [](const std::string& columns) { return "table t {\n  id integer primary key\n" + columns + "}\n"; };
  const std::string attrs =
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || ' ' || "
      "coalesce(nullif(attidentity::text, ''), '-') || coalesce(nullif(attgenerated::text, ''), '-') || ' ' || "
      "coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' ' || coalesce(co.collname, '-'), '; ' ORDER BY attnum) "
      "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100 "
      "WHERE attrelid = 't'::regclass AND attnum > 1 AND NOT attisdropped";
  const std::string v1 =
      "  n integer\n  s text\n  d integer default 1\n  i integer not null\n  c text\n"
      "  g integer generated always as (n * 2) stored\n";
  k.Run({
      {"create", schema(v1), 0,
       {{attrs, "n integer false -- - -; s text false -- - -; d integer false -- 1 -; i integer true -- - -; "
                "c text false -- - -; g integer false -s (n * 2) -"}}},
      {"type widened, not null, default changed, collation, comment",
       schema("  n bigint\n  s text not null comment 'the s'\n  d integer default 2\n  i integer not null\n"
              "  c text collate \"C\"\n  g integer generated always as (n * 2) stored\n"),
       0,
       {{attrs, "n bigint false -- - -; s text true -- - -; d integer false -- 2 -; i integer true -- - -; "
                "c text false -- - C; g integer false -s (n * 2) -"},
        Rows("t", "(1,10,one,1,1,x,20)|(2,20,two,1,2,y,40)"),
        {"SELECT col_description('t'::regclass, 3)", "the s"}},
       false, "INSERT INTO t (id, n, s, i, c) VALUES (1, 10, 'one', 1, 'x'), (2, 20, 'two', 2, 'y')"},
      {"identity added, generated expression changed, default dropped, nullable, comment dropped",
       schema("  n bigint\n  s text\n  d integer\n  i integer generated by default as identity (start with 100)\n"
              "  c text collate \"C\"\n  g integer generated always as (n * 3) stored\n"),
       0,
       {{attrs, "n bigint false -- - -; s text false -- - -; d integer false -- - -; i integer true d- - -; "
                "c text false -- - C; g integer false -s (n * 3) -"},
        Rows("t", "(1,10,one,1,1,x,30)|(2,20,two,1,2,y,60)"),
        {"SELECT seqstart FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('t', 'i')::regclass", "100"},
        {"SELECT coalesce(col_description('t'::regclass, 3), 'NULL')", "NULL"}}},
      {"identity always with other options, no longer generated, collation back to default",
       schema("  n bigint\n  s text\n  d integer\n  i integer generated always as identity (start with 100 increment by 10)\n"
              "  c text\n  g integer\n"),
       0,
       {{attrs, "n bigint false -- - -; s text false -- - -; d integer false -- - -; i integer true a- - -; "
                "c text false -- - -; g integer false -- - -"},
        Rows("t", "(1,10,one,1,1,x,30)|(2,20,two,1,2,y,60)"),
        {"SELECT seqstart || ' ' || seqincrement FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('t', 'i')::regclass",
         "100 10"}}},
      {"identity replaced by a default, narrowing type change: withheld",
       schema("  n integer\n  s text\n  d integer\n  i integer not null default 0\n  c text\n  g integer\n"), 3,
       {ColumnType("t", "n", "bigint"), {"SELECT attidentity FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'i'", ""},
        {"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass", "0"},
        Rows("t", "(1,10,one,1,1,x,30)|(2,20,two,1,2,y,60)")},
       false, "", {"(lossy"}},
      {"narrowing with --allow-drop, default dropped", schema("  n integer\n  s text\n  d integer\n  i integer not null\n  c text\n  g integer\n"), 0,
       {ColumnType("t", "n", "integer"), Rows("t", "(1,10,one,1,1,x,30)|(2,20,two,1,2,y,60)")}, true},
      {"rename with rows", schema("  n integer\n  label text renamed from s\n  d integer\n  i integer not null\n  c text\n  g integer\n"),
       0, {Rows("t", "(1,10,one,1,1,x,30)|(2,20,two,1,2,y,60)"), ColumnType("t", "label", "text")}},
      {"drop a column: withheld", schema("  n integer\n  label text\n  d integer\n  i integer not null\n  g integer\n"), 3,
       {Rows("t", "(1,10,one,1,1,x,30)|(2,20,two,1,2,y,60)")}, false, "", {"column public.t.c (its values are lost)  [destructive]"}},
      {"drop with --allow-drop, add a column with a default",
       schema("  n integer\n  label text\n  d integer\n  i integer not null\n  g integer\n  added text not null default 'z'\n"),
       0, {Rows("t", "(1,10,one,1,1,30,z)|(2,20,two,1,2,60,z)")}, true},
  });
}

TEST_CASE("renamed table and column: everything that names them follows, rows stay", "[kinds][rename]") {
  Kinds k("follow");
  CreateRoles(k.conn(), {"schemac_kinds_r"});
  auto schema = [](const std::string& t, const std::string& c, const std::string& renames_t,
                   const std::string& renames_c) {
    return "function touch() returns trigger language plpgsql as $$ begin return new; end $$\n"
           "table " + t + renames_t + " {\n"
           "  id     integer primary key\n"
           "  " + c + "  integer not null" + renames_c + " check (" + c + " > 0) comment 'how many'\n"
           "  price  numeric(10,2) not null\n"
           "  total  numeric generated always as (" + c + " * price) stored\n"
           "  index (" + c + ", price)\n"
           "  index doubled ((" + c + " * 2)) where " + c + " > 1\n"
           "  row level security\n"
           "}\n"
           "policy big on " + t + " using (" + c + " > 1)\n"
           "view totals as select id, " + c + " * price as amount from " + t + "\n"
           "function quantity(o " + t + ") returns integer language sql as $$ select o." + c + " $$\n"
           "trigger touch_it before update of " + c + " on " + t + " for each row when (new." + c + " > old." + c +
           ") execute function touch()\n"
           "grant update (" + c + ") on " + t + " to schemac_kinds_r\n";
  };
  const std::string rows = "(1,3,2.50,7.50)|(2,4,1.00,4.00)";
  k.Run({
      {"create", schema("orders", "qty", "", ""), 0, {}},
      {"rename the table and the column", schema("purchases", "amount", " renamed from orders", " renamed from qty"), 0,
       {Rows("purchases", rows), Rows("totals", "(1,7.50)|(2,4.00)"),
        {"SELECT string_agg(quantity(p)::text, ',' ORDER BY id) FROM purchases p", "3,4"},
        Indexes("purchases", "doubled,purchases_amount_price_idx,purchases_pkey"),
        Constraints("purchases", "purchases_amount_check,purchases_pkey"),
        {"SELECT col_description('purchases'::regclass, 2)", "how many"},
        {"SELECT has_column_privilege('schemac_kinds_r', 'purchases', 'amount', 'UPDATE')", "t"},
        {"SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'touch_it'",
         "CREATE TRIGGER touch_it BEFORE UPDATE OF amount ON public.purchases FOR EACH ROW WHEN ((new.amount > old.amount)) "
         "EXECUTE FUNCTION touch()"},
        {"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'purchases'::regclass",
         "((amount)::numeric * price)"}},
       false, "INSERT INTO orders (id, qty, price) VALUES (1, 3, 2.5), (2, 4, 1)",
       {"ALTER TABLE public.orders RENAME TO purchases;", "ALTER TABLE public.purchases RENAME COLUMN qty TO amount;"},
       // A rename rebuilds nothing of the table: its expressions follow the new names.
       {"DROP TABLE", "DROP COLUMN", "CREATE TABLE", "ADD COLUMN", "DROP CONSTRAINT", "DROP INDEX", "DROP TRIGGER",
        "ALTER POLICY", "DROP POLICY"}},
  });
}

TEST_CASE("dependents: what is built on a retyped column or a recreated function follows it", "[kinds][deps]") {
  Kinds k("deps");
  auto schema = [](const std::string& id_type, const std::string& owner_type, const std::string& result) {
    return "table p {\n  id " + id_type + " primary key\n  owner " + owner_type + " not null check (length(owner) > 0)\n"
           "  index (owner)\n  row level security\n}\n"
           "table c {\n  id integer primary key\n  pid " + id_type + " references p (id)\n}\n"
           "policy own on p using (owner = current_user)\n"
           "trigger p_touch before update of owner on p for each row execute function touch()\n"
           "function touch() returns trigger language plpgsql as $$ begin return new; end $$\n"
           "function label(x integer) returns " + result + " language sql immutable as $$ select 'n' || x $$\n"
           "view labels as select id, label(id) as l from c\n"
           "view owners as select id, upper(owner) as o from p\n";
  };
  const std::string rows = "INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (10, 1), (11, 2)";
  k.Run({
      {"create", schema("integer", "varchar(50)", "text"), 0, {}},
      {"key columns widened on both sides of a foreign key, a column a policy, check, index, trigger and view use",
       schema("bigint", "text", "text"), 0,
       {ColumnType("p", "id", "bigint"), ColumnType("c", "pid", "bigint"), ColumnType("p", "owner", "text"),
        Rows("p", "(1,a)|(2,b)"), Rows("c", "(10,1)|(11,2)"), Rows("owners", "(1,A)|(2,B)"),
        ConstraintDef("c", "c_pid_fkey", "FOREIGN KEY (pid) REFERENCES p(id)"),
        {"SELECT count(*) FROM pg_policy WHERE polname = 'own'", "1"}},
       false, rows},
      {"a function's result type changes under a view that calls it", schema("bigint", "text", "varchar"), 0,
       {Rows("labels", "(10,n10)|(11,n11)"), ColumnType("labels", "l", "character varying")}},
  });
}

// ---- constraints --------------------------------------------------------------------------------

TEST_CASE("not valid constraints: add over violating rows, validate, make not valid, change", "[kinds]") {
  Kinds k("notvalid");
  const std::string p = "table p {\n  id integer primary key\n}\n";
  auto schema = [&](const std::string& fk, const std::string& check) {
    return p + "table c {\n  id integer\n  pid integer references p (id)" + fk + "\n  check c_id_positive (id > 0)" +
           check + "\n}\n";
  };
  const Check validated{"SELECT string_agg(conname || ' ' || convalidated::text, ',' ORDER BY conname) FROM pg_constraint "
                        "WHERE conrelid = 'c'::regclass",
                        ""};
  k.Run({
      {"create without constraints", p + "table c {\n  id integer\n  pid integer\n}\n", 0, {Exists("c")}},
      {"add not valid over rows that violate them: the rows stay", schema(" not valid", " no inherit not valid"), 0,
       {{validated.sql, "c_id_positive false,c_pid_fkey false"},
        ConstraintDef("c", "c_id_positive", "CHECK ((id > 0)) NO INHERIT NOT VALID"), Rows("c", "(-1,7)|(5,1)")},
       false, "INSERT INTO p VALUES (1); INSERT INTO c VALUES (-1, 7), (5, 1)"},
      {"validating fails on those rows and changes nothing", schema("", " no inherit"), 1,
       {{validated.sql, "c_id_positive false,c_pid_fkey false"}, Rows("c", "(-1,7)|(5,1)")}},
      {"validated in place once the rows are fixed", schema("", " no inherit"), 0,
       {{validated.sql, "c_id_positive true,c_pid_fkey true"}, Rows("c", "(5,1)")}, false,
       "DELETE FROM c WHERE id = -1", {"VALIDATE CONSTRAINT c_id_positive", "VALIDATE CONSTRAINT c_pid_fkey"},
       {"DROP CONSTRAINT"}},
      {"made not valid again", schema(" not valid", " not valid"), 0,
       {{validated.sql, "c_id_positive false,c_pid_fkey false"}, Rows("c", "(5,1)")}},
      {"a changed definition stays not valid", schema(" on delete cascade not valid", " not valid"), 0,
       {{validated.sql, "c_id_positive false,c_pid_fkey false"},
        ConstraintDef("c", "c_pid_fkey", "FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE NOT VALID")}},
  });
}

TEST_CASE("constraints: primary key, unique, foreign key, check, exclude", "[kinds]") {
  Kinds k("constraint");
  auto schema = [](const std::string& p_items, const std::string& c_items) {
    return "table p {\n  id integer not null\n  code text not null\n  lo integer not null\n  hi integer not null\n" + p_items +
           "}\ntable c {\n  id integer not null\n  pid integer\n" + c_items + "}\n";
  };
  const std::string rows =
      "INSERT INTO p VALUES (1, 'a', 1, 2), (2, 'b', 3, 4); INSERT INTO c VALUES (10, 1), (11, 2), (12, NULL)";
  k.Run({
      {"create with primary keys only", schema("  primary key (id)\n", "  constraint c_key primary key (id)\n"), 0,
       {Constraints("p", "p_pkey"), Constraints("c", "c_key")}},
      {"add unique, foreign key, check, exclude",
       schema("  primary key (id)\n  unique (code)\n  check p_range (lo <= hi)\n"
              "  exclude using gist (int4range(lo, hi) with &&)\n",
              "  constraint c_key primary key (id)\n  foreign key (pid) references p (id)\n"),
       0,
       {Constraints("p", "p_code_key,p_int4range_excl,p_pkey,p_range"), Constraints("c", "c_key,c_pid_fkey"),
        ConstraintDef("c", "c_pid_fkey", "FOREIGN KEY (pid) REFERENCES p(id)"),
        ConstraintDef("p", "p_range", "CHECK ((lo <= hi))"),
        ConstraintDef("p", "p_int4range_excl", "EXCLUDE USING gist (int4range(lo, hi) WITH &&)"),
        Rows("c", "(10,1)|(11,2)|(12,)")},
       false, rows},
      {"every attribute changed",
       schema("  primary key (id) include (code)\n  unique nulls not distinct (code) include (lo) deferrable\n"
              "  check p_range (lo < hi) no inherit\n"
              "  exclude using gist (int4range(lo, hi) with &&) where (lo > 0)\n",
              "  constraint c_key primary key (id)\n"
              "  foreign key (pid) references p (id) on delete cascade on update set null deferrable initially deferred\n"),
       0,
       {ConstraintDef("p", "p_pkey", "PRIMARY KEY (id) INCLUDE (code)"),
        ConstraintDef("p", "p_code_lo_key", "UNIQUE NULLS NOT DISTINCT (code) INCLUDE (lo) DEFERRABLE"),
        ConstraintDef("p", "p_range", "CHECK ((lo < hi)) NO INHERIT"),
        ConstraintDef("p", "p_int4range_excl", "EXCLUDE USING gist (int4range(lo, hi) WITH &&) WHERE ((lo > 0))"),
        ConstraintDef("c", "c_pid_fkey",
                      "FOREIGN KEY (pid) REFERENCES p(id) ON UPDATE SET NULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"),
        Rows("c", "(10,1)|(11,2)|(12,)")}},
      {"match full, on delete set null (cols), not deferrable",
       schema("  primary key (id)\n  unique (code)\n  check p_range (lo < hi)\n"
              "  exclude using gist (int4range(lo, hi) with &&)\n",
              "  constraint c_key primary key (id)\n"
              "  foreign key (pid) references p (id) match full on delete set null (pid) on update restrict\n"),
       0,
       {ConstraintDef("p", "p_code_key", "UNIQUE (code)"),
        ConstraintDef("c", "c_pid_fkey", "FOREIGN KEY (pid) REFERENCES p(id) MATCH FULL ON UPDATE RESTRICT ON DELETE SET NULL (pid)")}},
      {"renames keep the constraints",
       schema("  primary key (id)\n  constraint p_code_uniq unique (code) renamed from p_code_key\n"
              "  check p_order (lo < hi) renamed from p_range\n"
              "  exclude using gist (int4range(lo, hi) with &&)\n",
              "  constraint c_pk primary key (id) renamed from c_key\n"
              "  foreign key c_parent (pid) references p (id) match full on delete set null (pid) on update restrict\n"
              "    renamed from c_pid_fkey\n"),
       0,
       {Constraints("p", "p_code_uniq,p_int4range_excl,p_order,p_pkey"), Constraints("c", "c_parent,c_pk"),
        Indexes("p", "p_code_uniq,p_int4range_excl,p_pkey"), Rows("c", "(10,1)|(11,2)|(12,)")},
       false, "", {"RENAME CONSTRAINT p_code_key TO p_code_uniq"}, {"DROP CONSTRAINT"}},
      {"drops need no --allow-drop", schema("", "  constraint c_pk primary key (id)\n"), 0,
       {Constraints("p", ""), Constraints("c", "c_pk"), Rows("p", "(1,a,1,2)|(2,b,3,4)")}},
      {"a primary key over a nullable column makes it NOT NULL", schema("", "  primary key (id, pid)\n"), 0,
       {Constraints("c", "c_pkey"), ConstraintDef("c", "c_pkey", "PRIMARY KEY (id, pid)"),
        {"SELECT attnotnull FROM pg_attribute WHERE attrelid = 'c'::regclass AND attname = 'pid'", "t"}},
       false, "DELETE FROM c WHERE pid IS NULL"},
      {"without it the column is nullable again", schema("", ""), 0,
       {Constraints("c", ""), {"SELECT attnotnull FROM pg_attribute WHERE attrelid = 'c'::regclass AND attname = 'pid'", "f"},
        Rows("c", "(10,1)|(11,2)")}},
  });
}

// ---- indexes ------------------------------------------------------------------------------------

TEST_CASE("index: unique, method, expressions, opclass, order, include, where, rename, drop", "[kinds]") {
  Kinds k("index");
  auto schema = [](const std::string& indexes) {
    return "table t {\n  id integer primary key\n  a text\n  b integer\n  c integer[]\n" + indexes + "}\n";
  };
  k.Run({
      {"create", schema("  index t_a (a)\n  index (b)\n"), 0,
       {IndexDef("t_a", "CREATE INDEX t_a ON public.t USING btree (a)"),
        IndexDef("t_b_idx", "CREATE INDEX t_b_idx ON public.t USING btree (b)")}},
      {"every kind of element and option",
       schema("  index t_a (a desc nulls last)\n  unique index t_b (b) nulls not distinct\n  index t_c using gin (c)\n"
              "  index t_lower (lower(a))\n  index t_pattern (a text_pattern_ops)\n"
              "  index t_incl (b) include (a) where b > 0\n  index t_coll (a collate \"C\" asc nulls first)\n"),
       0,
       {IndexDef("t_a", "CREATE INDEX t_a ON public.t USING btree (a DESC NULLS LAST)"),
        IndexDef("t_b", "CREATE UNIQUE INDEX t_b ON public.t USING btree (b) NULLS NOT DISTINCT"),
        IndexDef("t_c", "CREATE INDEX t_c ON public.t USING gin (c)"),
        IndexDef("t_lower", "CREATE INDEX t_lower ON public.t USING btree (lower(a))"),
        IndexDef("t_pattern", "CREATE INDEX t_pattern ON public.t USING btree (a text_pattern_ops)"),
        IndexDef("t_incl", "CREATE INDEX t_incl ON public.t USING btree (b) INCLUDE (a) WHERE (b > 0)"),
        IndexDef("t_coll", "CREATE INDEX t_coll ON public.t USING btree (a COLLATE \"C\" NULLS FIRST)"),
        Indexes("t", "t_a,t_b,t_c,t_coll,t_incl,t_lower,t_pattern,t_pkey")},
       false, "INSERT INTO t VALUES (1, 'x', 1, '{1,2}'), (2, 'y', 2, '{3}')"},
      {"each one changed",
       schema("  index t_a (a desc)\n  index t_b (b)\n  index t_c using btree (c)\n"
              "  index t_lower (upper(a))\n  index t_pattern (a varchar_pattern_ops)\n"
              "  index t_incl (b) include (id) where b > 1\n  index t_coll (a collate \"POSIX\")\n"),
       0,
       {IndexDef("t_a", "CREATE INDEX t_a ON public.t USING btree (a DESC)"),
        IndexDef("t_b", "CREATE INDEX t_b ON public.t USING btree (b)"),
        IndexDef("t_c", "CREATE INDEX t_c ON public.t USING btree (c)"),
        IndexDef("t_lower", "CREATE INDEX t_lower ON public.t USING btree (upper(a))"),
        IndexDef("t_pattern", "CREATE INDEX t_pattern ON public.t USING btree (a varchar_pattern_ops)"),
        IndexDef("t_incl", "CREATE INDEX t_incl ON public.t USING btree (b) INCLUDE (id) WHERE (b > 1)"),
        IndexDef("t_coll", "CREATE INDEX t_coll ON public.t USING btree (a COLLATE \"POSIX\")")}},
      {"hash and brin, top-level form", schema("  index t_a using hash (a)\n") + "index t_b on t using brin (b)\n", 0,
       {IndexDef("t_a", "CREATE INDEX t_a ON public.t USING hash (a)"),
        IndexDef("t_b", "CREATE INDEX t_b ON public.t USING brin (b)"), Indexes("t", "t_a,t_b,t_pkey")}},
      {"rename", schema("  index t_a_hash renamed from t_a using hash (a)\n") + "index t_b on t using brin (b)\n", 0,
       {Indexes("t", "t_a_hash,t_b,t_pkey")}, false, "", {"RENAME TO t_a_hash"}, {"DROP INDEX"}},
      {"drops need no --allow-drop", schema(""), 0, {Indexes("t", "t_pkey"), Rows("t", "(1,x,1,\"{1,2}\")|(2,y,2,{3})")}},
  });
}

// ---- partitioning -------------------------------------------------------------------------------

TEST_CASE("partitioned table and partitions: create, add, change, rename with rows, drop", "[kinds]") {
  Kinds k("partition");
  const std::string parent =
      "table ev partition by range (at) {\n  at timestamptz not null\n  kind text not null\n  payload jsonb\n";
  const std::string p2025 = "table ev_2025 partition of ev for values from ('2025-01-01') to ('2026-01-01')\n";
  const std::string p2026 = "table ev_2026 partition of ev for values from ('2026-01-01') to ('2027-01-01')\n";
  const std::string list =
      "table pay partition by list (method) {\n  id integer not null\n  method text not null\n  primary key (id, method)\n}\n"
      "table pay_card partition of pay for values in ('card')\n"
      "table pay_other partition of pay for values in ('cash', 'cheque')\n";
  const std::string rows =
      "INSERT INTO ev VALUES ('2025-03-01 00:00+00', 'a', '{\"x\": 1}'), ('2026-03-01 00:00+00', 'b', NULL);"
      "INSERT INTO pay VALUES (1, 'card'), (2, 'cash')";
  const std::string parent2 = parent + "  note text\n  index ev_kind (kind)\n  comment 'events'\n}\n";
  const std::string row2025 = "(\"2025-03-01 00:00:00+00\",a,\"{\"\"x\"\": 1}\",)";
  const std::string row2026 = "(\"2026-03-01 00:00:00+00\",b,,)";
  const Check bounds{"SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), '; ' ORDER BY c.relname) "
                     "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ev'::regclass",
                     ""};
  k.Run({
      {"create", parent + "}\n" + p2025 + p2026 + list, 0,
       {{bounds.sql,
         "ev_2025 FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00'); "
         "ev_2026 FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')"},
        {"SELECT pg_get_partkeydef('pay'::regclass)", "LIST (method)"}}},
      {"a default partition, a column and an index on the parent, comment",
       parent2 + p2025 + p2026 + "table ev_rest partition of ev default\n" + list, 0,
       {{"SELECT count(*) FROM pg_inherits WHERE inhparent = 'ev'::regclass", "3"}, ColumnType("ev_2025", "note", "text"),
        Indexes("ev", "ev_kind"), {"SELECT count(*) FROM pg_inherits WHERE inhparent = 'ev_kind'::regclass", "3"},
        Comment("'ev'::regclass", "pg_class", "events"), Rows("ev", row2025 + "|" + row2026),
        Rows("pay", "(1,card)|(2,cash)")},
       false, rows},
      {"rename a partition with rows",
       parent2 + "table ev_y2025 renamed from ev_2025 partition of ev for values from ('2025-01-01') to ('2026-01-01')\n" +
           p2026 + "table ev_rest partition of ev default\n" + list,
       0, {Exists("ev_2025", false), Rows("ev_y2025", row2025), Rows("ev", row2025 + "|" + row2026)}},
      {"drop a partition: withheld",
       parent2 + "table ev_y2025 partition of ev for values from ('2025-01-01') to ('2026-01-01')\n"
                 "table ev_rest partition of ev default\n" + list,
       3, {Rows("ev_2026", row2026)}, false, "", {"partition public.ev_2026 (its rows are lost)  [destructive]"}},
      {"drop with --allow-drop",
       parent2 + "table ev_y2025 partition of ev for values from ('2025-01-01') to ('2026-01-01')\n"
                 "table ev_rest partition of ev default\n" + list,
       0, {Exists("ev_2026", false), Rows("ev", row2025)}, true},
      {"drop a partitioned table with its partitions",
       parent2 + "table ev_y2025 partition of ev for values from ('2025-01-01') to ('2026-01-01')\n"
                 "table ev_rest partition of ev default\n",
       0, {Exists("pay", false), Exists("pay_card", false), Rows("ev", row2025)}, true},
  });
}

TEST_CASE("indexes of partitioned tables: attach the partitions' matching indexes, drop in order", "[kinds][partition]") {
  Kinds k("part_index");
  const std::string parent = "table pt partition by list (k) {\n  k text not null\n  id integer not null\n";
  auto part = [](const std::string& name, const std::string& value, const std::string& items) {
    return "table " + name + " partition of pt for values in ('" + value + "')" +
           (items.empty() ? std::string("\n") : " {\n" + items + "}\n");
  };
  const Check attached_to_pt_idx{
      "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = 'pt_idx'::regclass",
      "pt_a_local,pt_b_local"};
  k.Run({
      {"partitions with indexes of their own", parent + "}\n" + part("pt_a", "a", "  index pt_a_local (k, id)\n") +
                                                   part("pt_b", "b", "  index pt_b_local (k, id)\n"),
       0, {Indexes("pt_a", "pt_a_local"), Indexes("pt_b", "pt_b_local")}},
      // The parent's new index takes the partitions' matching indexes over instead of building
      // new ones (and they are not dropped: an attached index cannot be).
      {"a matching index on the parent attaches them", parent + "  index pt_idx (k, id)\n}\n" + part("pt_a", "a", "") +
                                                           part("pt_b", "b", ""),
       0, {attached_to_pt_idx, Indexes("pt_a", "pt_a_local"), Indexes("pt_b", "pt_b_local")}, true, "",
       {"ALTER INDEX public.pt_idx ATTACH PARTITION public.pt_a_local;"}, {"DROP INDEX"}},
      // Dropping the parent's index (and its partitions' indexes with it) comes first: the
      // partition's new index has the name of one of them.
      {"back to an index of one partition only", parent + "}\n" + part("pt_a", "a", "  index pt_a_local (k, id)\n") +
                                                     part("pt_b", "b", ""),
       0, {Indexes("pt_a", "pt_a_local"), Indexes("pt_b", ""), Exists("pt_idx", false)}, true},
      // An index created ON ONLY the parent stays invalid until every partition has one attached:
      // the partition's matching index is attached, nothing is rebuilt.
      {"an invalid index of the parent is completed by attaching",
       parent + "  index pt_only (id)\n}\n" + part("pt_a", "a", "  index pt_a_local (k, id)\n") + part("pt_b", "b", ""),
       0,
       {{"SELECT indisvalid FROM pg_index WHERE indexrelid = 'pt_only'::regclass", "t"},
        {"SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
         "WHERE i.inhparent = 'pt_only'::regclass",
         "pt_a_id,pt_b_id"}},
       true,
       "CREATE INDEX pt_only ON ONLY pt (id); CREATE INDEX pt_a_id ON pt_a (id);"
       "ALTER INDEX pt_only ATTACH PARTITION pt_a_id; CREATE INDEX pt_b_id ON pt_b (id)",
       {"ALTER INDEX public.pt_only ATTACH PARTITION public.pt_b_id;"}, {"DROP INDEX", "CREATE INDEX"}},
  });
}

TEST_CASE("a partition's own primary key can back the parent's unique index, and a foreign key to a partitioned table is valid", "[kinds][partition]") {
  Kinds k("part_keys");
  const std::string base =
      "table pk partition by list (k) {\n  k text not null\n  id integer not null\n  unique index pk_uniq (k, id)\n}\n"
      "table pk_a partition of pk for values in ('a') {\n  primary key (k, id)\n}\n"
      "table pk_b partition of pk for values in ('b')\n";
  const std::string ref = "table r {\n  k text\n  id integer\n";
  k.Run({
      // The partition's primary key index is attached to the parent's unique index: it stays the
      // partition's constraint, and its index is read back with it.
      {"create", base + ref + "}\n", 0,
       {{"SELECT (SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = 'pk_a_pkey'::regclass)", "pk_uniq"},
        Constraints("pk_a", "pk_a_pkey"), Indexes("pk_a", "pk_a_pkey")}},
      // PostgreSQL 15 clones the key for every partition of the referenced table, and VALIDATE
      // CONSTRAINT would leave the clones NOT VALID: it is added valid at once.
      {"a foreign key to the partitioned table", base + ref + "  foreign key (k, id) references pk (k, id)\n}\n", 0,
       {{"SELECT string_agg(convalidated::text, ',') FROM pg_constraint WHERE conrelid = 'r'::regclass AND contype = 'f'",
         "true,true,true"}},
       false, "", {}, {"NOT VALID"}},
  });
}

TEST_CASE("a partition's new bound is DETACH and ATTACH and a plain table is attached with its rows kept", "[kinds]") {
  Kinds k("bound");
  const std::string parent = "table ev partition by range (n) {\n  n integer not null\n}\n";
  const Check bounds{"SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), '; ' ORDER BY c.relname) "
                     "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ev'::regclass",
                     ""};
  k.Run({
      {"create", parent + "table ev_a partition of ev for values from (0) to (10)\n"
                          "table ev_b partition of ev for values from (10) to (20)\n"
                          "table ev_c {\n  n integer not null\n}\n",
       0, {}},
      // ev_b's new bound overlaps ev_a's old one: both are detached before either is attached.
      {"new bounds for two siblings",
       parent + "table ev_a partition of ev for values from (0) to (8)\n"
                "table ev_b partition of ev for values from (8) to (20)\n"
                "table ev_c {\n  n integer not null\n}\n",
       0,
       {{bounds.sql, "ev_a FOR VALUES FROM (0) TO (8); ev_b FOR VALUES FROM (8) TO (20)"},
        Rows("ev", "(15)|(5)"), Rows("ev_a", "(5)"), Rows("ev_b", "(15)")},
       false, "INSERT INTO ev VALUES (5), (15); INSERT INTO ev_c VALUES (25)",
       {"DETACH PARTITION", "ATTACH PARTITION"}, {"DROP TABLE", "[destructive]"}},
      {"a plain table becomes a partition",
       parent + "table ev_a partition of ev for values from (0) to (8)\n"
                "table ev_b partition of ev for values from (8) to (20)\n"
                "table ev_c partition of ev for values from (20) to (30)\n",
       0, {Rows("ev", "(15)|(25)|(5)"), Rows("ev_c", "(25)")}, false, "", {"ATTACH PARTITION"},
       {"DROP TABLE"}},
  });
}

TEST_CASE("a changed partition key recreates the table: withheld without --allow-drop then done with its dependents", "[kinds]") {
  Kinds k("rekey");
  const std::string hash =
      "table hp partition by hash (a) {\n  a integer not null\n  b integer not null\n  index hp_b (b)\n"
      "  comment 'hashed'\n}\n"
      "table hp_0 partition of hp for values with (modulus 2, remainder 0)\n"
      "table hp_1 partition of hp for values with (modulus 2, remainder 1)\n"
      "view hv as select a, b from hp\n";
  std::string rekeyed = hash;
  rekeyed.replace(rekeyed.find("hash (a)"), 8, "hash (b)");
  const Check key{"SELECT pg_get_partkeydef('hp'::regclass)", ""};
  k.Run({
      {"a hash partitioned table with rows", hash, 0, {{key.sql, "HASH (a)"}}, false, ""},
      {"rekeyed: withheld, the rows stay",
       rekeyed, 3, {{key.sql, "HASH (a)"}, Rows("hp", "(1,1)|(2,2)"), Exists("hv")}, false,
       "INSERT INTO hp VALUES (1, 1), (2, 2)",
       {"table public.hp (recreated: its partition strategy or key changes; its rows are lost); dropped  [destructive]"}},
      {"rekeyed with --allow-drop: recreated with its partitions, index, view and comment",
       rekeyed, 0,
       {{key.sql, "HASH (b)"}, Rows("hp", ""), Exists("hp_0"), Exists("hp_1"), Exists("hv"),
        Indexes("hp", "hp_b"), Comment("'hp'::regclass", "pg_class", "hashed"),
        {"SELECT count(*) FROM pg_inherits WHERE inhparent = 'hp'::regclass", "2"}},
       true},
      {"unpartitioned: recreated as a plain table",
       "table hp {\n  a integer not null\n  b integer not null\n  index hp_b (b)\n}\n"
       "view hv as select a, b from hp\n",
       0,
       {{"SELECT relkind FROM pg_class WHERE oid = 'hp'::regclass", "r"}, Exists("hp_0", false), Exists("hv"),
        Indexes("hp", "hp_b")},
       true},
  });
}

// ---- collations and table inheritance ------------------------------------------------------------

TEST_CASE("collation: create, used by columns and indexes, switch columns, recreate, drop", "[kinds]") {
  Kinds k("collation");
  const std::string numeric = "collation \"numeric\" (provider = icu, locale = 'en-u-kn-true')\n";
  const std::string posix = "collation posix (locale = 'POSIX')\n";
  auto column_collation = [](const std::string& column) {
    return "SELECT c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
           "WHERE a.attrelid = 't'::regclass AND a.attname = '" + column + "'";
  };
  const Check numeric_locale{"SELECT colliculocale FROM pg_collation WHERE collname = 'numeric'",
                             "en-u-kn-true"};
  k.Run({
      {"create, with columns and an index using them",
       numeric + posix + "table t {\n  a text\n  b text collate posix\n  index t_a (a collate \"numeric\")\n}\n", 0,
       {numeric_locale, {column_collation("b"), "posix"},
        IndexDef("t_a", "CREATE INDEX t_a ON public.t USING btree (a COLLATE \"numeric\")"),
        {"SELECT collcollate || '/' || collctype FROM pg_collation WHERE collname = 'posix'", "POSIX/POSIX"}}},
      {"columns switch to another collation, the unused one is dropped",
       numeric + "table t {\n  a text\n  b text collate \"numeric\"\n  c text collate \"numeric\"\n"
                 "  index t_a (a collate \"numeric\")\n}\n",
       0,
       {{column_collation("b"), "numeric"}, {column_collation("c"), "numeric"},
        {"SELECT count(*) FROM pg_collation WHERE collname = 'posix'", "0"}, Rows("t", "(x,y,)")},
       false, "INSERT INTO t VALUES ('x', 'y')"},
      {"a nondeterministic collation, unused: changed by drop and create",
       numeric + "collation ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)\n"
                 "table t {\n  a text\n  b text collate \"numeric\"\n  c text collate \"numeric\"\n"
                 "  index t_a (a collate \"numeric\")\n}\n",
       0, {{"SELECT collisdeterministic FROM pg_collation WHERE collname = 'ci'", "f"}}},
      {"changed",
       numeric + "collation ci (provider = icu, locale = 'und-u-ks-level1', deterministic = false)\n"
                 "table t {\n  a text\n  b text collate \"numeric\"\n  c text collate \"numeric\"\n"
                 "  index t_a (a collate \"numeric\")\n}\n",
       0, {{"SELECT colliculocale FROM pg_collation WHERE collname = 'ci'", "und-u-ks-level1"}}},
  });
  // A collation in use cannot be dropped and created again: reported, nothing changes.
  const std::string changed = "collation \"numeric\" (provider = icu, locale = 'de-u-kn-true')\n"
                              "table t {\n  a text\n  b text collate \"numeric\"\n}\n";
  const RunResult plan = k.Plan(k.Write(changed));
  INFO(plan.out << plan.err);
  CHECK(plan.exit == 2);
  CHECK(Contains(plan.out, "! unsupported: collation public.numeric changed"));
  CHECK(k.One(numeric_locale.sql) == "en-u-kn-true");
  k.Run({{"drop the table and the collations", "table other {\n  id integer\n}\n", 0,
          {Exists("t", false), {"SELECT count(*) FROM pg_collation WHERE collnamespace = 'public'::regnamespace", "0"}},
          true}});
}

TEST_CASE("table inheritance: create, parent columns, a column moving to the child, no inherit, inherit, drop",
          "[kinds]") {
  Kinds k("inherit");
  const std::string base = "table base {\n  id bigserial\n  created_at timestamptz not null default now()\n";
  const std::string child = "table child inherits (base) {\n  name text not null\n  check child_name (name <> '')\n"
                            "  unique (id)\n";
  auto local = [](const std::string& table, const std::string& column) {
    return Check{"SELECT attislocal::text || '/' || attinhcount FROM pg_attribute WHERE attrelid = '" + table +
                     "'::regclass AND attname = '" + column + "' AND NOT attisdropped",
                 ""};
  };
  auto is = [](Check c, const std::string& expected) {
    c.expected = expected;
    return c;
  };
  const Check parents{"SELECT coalesce(string_agg(inhparent::regclass::text, ',' ORDER BY inhseqno), '') "
                      "FROM pg_inherits WHERE inhrelid = 'child'::regclass",
                      ""};
  k.Run({
      {"create", base + "}\n" + child + "}\n", 0,
       {is(parents, "base"), is(local("child", "id"), "false/1"), is(local("child", "name"), "true/0"),
        Constraints("child", "child_id_key,child_name")}},
      {"a column added to the parent reaches the child; the child gets one of its own",
       base + "  note text\n}\n" + child + "  extra integer\n}\n", 0,
       {is(local("child", "note"), "false/1"), is(local("child", "extra"), "true/0"),
        {"SELECT count(*) FROM base", "1"}},
       false, "INSERT INTO child (name) VALUES ('n')"},
      {"the parent drops a column the child now declares itself: withheld",
       base + "}\n" + child + "  extra integer\n  note text\n}\n", 3, {is(local("child", "note"), "false/1")}},
      {"... with --allow-drop", base + "}\n" + child + "  extra integer\n  note text\n}\n", 0,
       {is(local("child", "note"), "true/0"), {"SELECT count(*) FROM pg_attribute WHERE attrelid = 'base'::regclass "
                                               "AND attname = 'note' AND NOT attisdropped", "0"}},
       true},
      {"no inherit: the inherited columns stay, as the child's own",
       base + "}\n" + "table child {\n  id bigint not null\n  created_at timestamptz not null\n  name text not null\n"
                      "  check child_name (name <> '')\n  unique (id)\n  extra integer\n  note text\n}\n",
       0, {is(parents, ""), is(local("child", "id"), "true/0"), Rows("base", "")}},
      {"inherit again", base + "}\n" + "table child inherits (base) {\n  id bigint not null\n"
                               "  created_at timestamptz not null\n  name text not null\n"
                               "  check child_name (name <> '')\n  unique (id)\n  extra integer\n  note text\n}\n",
       0, {is(parents, "base"), is(local("child", "id"), "true/1"), {"SELECT count(*) FROM base", "1"}}},
      {"drop both", "table other {\n  id integer\n}\n", 0, {Exists("base", false), Exists("child", false)}, true},
  });
}

// ---- views --------------------------------------------------------------------------------------

TEST_CASE("view: create, query, columns, options, check option, comment, dependent retype, rename, drop", "[kinds]") {
  Kinds k("view");
  auto schema = [](const std::string& b_type, const std::string& views) {
    return "table t {\n  id integer primary key\n  a text\n  b " + b_type + "\n}\n" + views;
  };
  const Check def{"SELECT pg_get_viewdef('v'::regclass)", ""};
  const Check opts{"SELECT coalesce(array_to_string(reloptions, ','), '-') FROM pg_class WHERE oid = 'v'::regclass", ""};
  k.Run({
      {"create", schema("integer", "view v as select id, a from t\n"), 0,
       {{def.sql, " SELECT t.id,\n    t.a\n   FROM t;"}}},
      {"a column added at the end", schema("integer", "view v as select id, a, b from t\n"), 0,
       {{def.sql, " SELECT t.id,\n    t.a,\n    t.b\n   FROM t;"}, Rows("v", "(1,x,10)|(2,y,20)")}, false,
       "INSERT INTO t VALUES (1, 'x', 10), (2, 'y', 20)"},
      {"a column removed, options, comment",
       schema("integer", "view v with (security_barrier = true) as select id, b from t\ncomment on view v is 'ids'\n"), 0,
       {{def.sql, " SELECT t.id,\n    t.b\n   FROM t;"}, {opts.sql, "security_barrier=true"},
        Comment("'v'::regclass", "pg_class", "ids")}},
      {"check option, a view on the view",
       schema("integer", "view v as select id, b from t where b > 0 with local check option\n"
                         "view w as select id from v where b > 15\n"),
       0, {{opts.sql, "check_option=local"}, Rows("w", "(2)"), Comment("'v'::regclass", "pg_class", "NULL")}},
      {"column names, security_invoker",
       schema("integer", "view v (ident, bval) with (security_invoker) as select id, b from t where b > 0\n"
                         "view w as select ident from v where bval > 15\n"),
       0, {{opts.sql, "security_invoker=true"}, Rows("v", "(1,10)|(2,20)"), Rows("w", "(2)")}},
      {"a column the views read changes type",
       schema("bigint", "view v (ident, bval) with (security_invoker) as select id, b from t where b > 0\n"
                        "view w as select ident from v where bval > 15\n"),
       0, {ColumnType("v", "bval", "bigint"), Rows("v", "(1,10)|(2,20)"), Rows("w", "(2)")}},
      {"rename", schema("bigint", "view v2 renamed from v (ident, bval) with (security_invoker) as select id, b from t where b > 0\n"
                                  "view w as select ident from v2 where bval > 15\n"),
       0, {Exists("v", false), Rows("v2", "(1,10)|(2,20)"), Rows("w", "(2)")}},
      {"drops need no --allow-drop", schema("bigint", ""), 0, {Exists("v2", false), Exists("w", false)}},
  });
}

TEST_CASE("materialized view: create, query, index, comment, rename with rows, drop", "[kinds]") {
  Kinds k("matview");
  const std::string t = "table t {\n  id integer primary key\n  a text not null\n}\n";
  k.Run({
      {"create", t + "materialized view mv as select a, count(*) as n from t group by a\n", 0,
       {{"SELECT relkind FROM pg_class WHERE oid = 'mv'::regclass", "m"}, Rows("mv", "")}},
      {"an index and a comment",
       t + "materialized view mv as select a, count(*) as n from t group by a\nunique index mv_a on mv (a)\n"
           "comment on materialized view mv is 'counts'\n",
       0, {Indexes("mv", "mv_a"), Comment("'mv'::regclass", "pg_class", "counts"), Rows("mv", "(x,2)|(y,1)")}, false,
       "INSERT INTO t VALUES (1, 'x'), (2, 'x'), (3, 'y'); REFRESH MATERIALIZED VIEW mv"},
      {"rename keeps the stored rows",
       t + "materialized view counts renamed from mv as select a, count(*) as n from t group by a\n"
           "unique index mv_a on counts (a)\n",
       0, {Exists("mv", false), Rows("counts", "(x,2)|(y,1)"), Indexes("counts", "mv_a")}, false,
       "INSERT INTO t VALUES (4, 'z')"},  // not refreshed: the stored rows are the old ones
      {"query changed: recreated from the table, withheld",
       t + "materialized view counts as select a, count(*) as n, max(id) as last from t group by a\n"
           "unique index mv_a on counts (a)\n",
       3, {Rows("counts", "(x,2)|(y,1)")}},
      {"query changed with --allow-drop",
       t + "materialized view counts as select a, count(*) as n, max(id) as last from t group by a\n"
           "unique index mv_a on counts (a)\n",
       0, {Rows("counts", "(x,2,2)|(y,1,3)|(z,1,4)"), Indexes("counts", "mv_a")}, true},
      {"drop: withheld", t, 3, {Exists("counts")}, false, "", {"[destructive]"}},
      {"drop with --allow-drop", t, 0, {Exists("counts", false)}, true},
  });
}

// ---- routines -----------------------------------------------------------------------------------

TEST_CASE("function: create, body, options, result type, arguments, overloads, comment, drop", "[kinds]") {
  Kinds k("function");
  const Check def{"SELECT pg_get_functiondef('add1(integer)'::regprocedure)", ""};
  const Check props{"SELECT provolatile::text || proisstrict::text || prosecdef::text || proparallel::text || procost || ' ' || "
                    "coalesce(array_to_string(proconfig, ','), '-') || ' ' || pg_get_function_result(oid) "
                    "FROM pg_proc WHERE oid = 'add1(integer)'::regprocedure",
                    ""};
  const std::string t = "table t {\n  id integer primary key\n  n integer default add1(0)\n}\n";
  k.Run({
      {"create", "function add1(x integer) returns integer language sql immutable as $$ select x + 1 $$\n" + t, 0,
       {{"SELECT add1(1)", "2"}, {props.sql, "ifalsefalseu100 - integer"}}},
      {"body and every option changed, comment",
       "function add1(x integer) returns integer language sql stable strict parallel safe cost 5 security definer\n"
       "  set search_path = pg_catalog, public\n  as $$ select x + 2 $$\n"
       "comment on function add1(integer) is 'adds'\n" + t,
       0,
       {{"SELECT add1(1)", "3"}, {props.sql, "struetrues5 search_path=pg_catalog, public integer"},
        Comment("'add1(integer)'::regprocedure", "pg_proc", "adds")}},
      {"options back to the defaults", "function add1(x integer) returns integer language sql as $$ select x + 2 $$\n" + t, 0,
       {{props.sql, "vfalsefalseu100 - integer"}, Comment("'add1(integer)'::regprocedure", "pg_proc", "NULL")}},
      {"result type changed, a default argument, while a column default calls it",
       "function add1(x integer default 0) returns bigint language sql as $$ select x + 3 $$\n" + t, 0,
       {{"SELECT add1()", "3"}, {props.sql, "vfalsefalseu100 - bigint"},
        {"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass", "add1(0)"}}},
      {"argument renamed, an overload, returns table, setof",
       "function add1(y integer default 0) returns bigint language sql as $$ select y + 3 $$\n"
       "function add1(x integer, y integer) returns integer language plpgsql as $$ begin return x + y; end $$\n"
       "function pairs(n integer) returns table (i integer, sq integer) language sql as $$ select g, g * g from generate_series(1, n) g $$\n"
       "function ids() returns setof t language sql stable as 'select * from t'\n" + t,
       0,
       {{"SELECT add1(y => 1)", "4"}, {"SELECT add1(2, 3)", "5"},
        {"SELECT string_agg(i || ':' || sq, ',') FROM pairs(3)", "1:1,2:4,3:9"},
        {"SELECT pg_get_function_result('ids()'::regprocedure)", "SETOF t"}}},
      {"drops need no --allow-drop", "table t {\n  id integer primary key\n  n integer\n}\n", 0,
       {{"SELECT count(*) FROM pg_proc WHERE proname IN ('add1', 'pairs', 'ids')", "0"}}},
  });
}

TEST_CASE("procedure: create, body, options, arguments, comment, drop", "[kinds]") {
  Kinds k("procedure");
  const std::string t = "table log {\n  msg text\n}\n";
  k.Run({
      {"create", "procedure note(m text) language sql as $$ insert into log values (m) $$\n" + t, 0,
       {{"SELECT prokind FROM pg_proc WHERE proname = 'note'", "p"}}},
      {"body, security definer, comment",
       "procedure note(m text) language plpgsql security definer as $$ begin insert into log values (upper(m)); end $$\n"
       "comment on procedure note is 'writes'\n" + t,
       0, {{"SELECT prosecdef::text || ' ' || (SELECT lanname FROM pg_language WHERE oid = prolang) FROM pg_proc WHERE proname = 'note'", "true plpgsql"},
           Comment("'note(text)'::regprocedure", "pg_proc", "writes")}},
      {"arguments changed: another signature",
       "procedure note(m text, times integer default 1) language plpgsql as $$ begin\n"
       "  for i in 1..times loop insert into log values (m); end loop;\nend $$\n" + t,
       0, {{"SELECT string_agg(oid::regprocedure::text, ',') FROM pg_proc WHERE proname = 'note'", "note(text,integer)"}}},
      {"drop", t, 0, {{"SELECT count(*) FROM pg_proc WHERE proname = 'note'", "0"}}},
  });
  k.conn().Exec("INSERT INTO log VALUES ('kept')");
  CHECK(k.One("SELECT string_agg(msg, ',') FROM log") == "kept");
}

// ---- triggers, policies, row level security -----------------------------------------------------

TEST_CASE("trigger: create, timing, events, when, level, arguments, constraint trigger, comment, drop", "[kinds]") {
  Kinds k("trigger");
  const std::string base =
      "table t {\n  id integer primary key\n  a text\n  updated_at timestamptz\n}\n"
      "table log {\n  msg text\n}\n"
      "function touch() returns trigger language plpgsql as $$ begin new.updated_at := now(); return new; end $$\n"
      "function note() returns trigger language plpgsql as $$ begin insert into log values (tg_name || ':' || "
      "coalesce(tg_argv[0], '-')); return null; end $$\n";
  const Check def{"SELECT string_agg(pg_get_triggerdef(oid), '; ' ORDER BY tgname) FROM pg_trigger "
                  "WHERE tgrelid = 't'::regclass AND NOT tgisinternal",
                  ""};
  k.Run({
      {"create", base + "trigger t_touch before update on t for each row execute function touch()\n", 0,
       {{def.sql, "CREATE TRIGGER t_touch BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION touch()"}}},
      {"events, when, comment",
       base + "trigger t_touch before insert or update on t for each row when (new.a is not null) execute function touch()\n"
              "comment on trigger t_touch on t is 'stamps'\n",
       0,
       {{def.sql, "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON public.t FOR EACH ROW WHEN ((new.a IS NOT NULL)) "
                  "EXECUTE FUNCTION touch()"},
        {"SELECT obj_description(oid, 'pg_trigger') FROM pg_trigger WHERE tgname = 't_touch'", "stamps"}}},
      {"timing, update of, arguments, statement level with a transition table",
       base + "trigger t_touch after update of a on t for each row execute function note('changed')\n"
              "trigger t_bulk after insert on t referencing new table as fresh for each statement execute function note()\n",
       0,
       {{def.sql, "CREATE TRIGGER t_bulk AFTER INSERT ON public.t REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT "
                  "EXECUTE FUNCTION note(); "
                  "CREATE TRIGGER t_touch AFTER UPDATE OF a ON public.t FOR EACH ROW EXECUTE FUNCTION note('changed')"}}},
      {"a constraint trigger",
       base + "constraint trigger t_touch after insert or update on t deferrable initially deferred for each row "
              "execute function note('late')\n",
       0,
       {{def.sql, "CREATE CONSTRAINT TRIGGER t_touch AFTER INSERT OR UPDATE ON public.t DEFERRABLE INITIALLY DEFERRED "
                  "FOR EACH ROW EXECUTE FUNCTION note('late')"}}},
      {"drop", base, 0, {{def.sql, "NULL"}}},
  });
  k.conn().Exec("INSERT INTO t VALUES (1, 'x')");
  CHECK(k.One("SELECT count(*) FROM log") == "0");
}

TEST_CASE("policy and row level security: enable, force, policy attributes, rename, drop, disable", "[kinds]") {
  Kinds k("policy");
  CreateRoles(k.conn(), {"schemac_kinds_app", "schemac_kinds_admin"});
  const std::string t = "table doc {\n  id integer primary key\n  owner text not null\n";
  const Check rls{"SELECT relrowsecurity::text || ' ' || relforcerowsecurity::text FROM pg_class WHERE oid = 'doc'::regclass", ""};
  const Check pol{"SELECT string_agg(policyname || ' ' || permissive || ' ' || cmd || ' ' || roles::text || ' ' || "
                  "coalesce(qual, '-') || ' ' || coalesce(with_check, '-'), '; ' ORDER BY policyname) FROM pg_policies "
                  "WHERE tablename = 'doc'",
                  ""};
  k.Run({
      {"create", t + "  row level security\n}\npolicy doc_owner on doc using (owner = current_user)\n", 0,
       {{rls.sql, "true false"}, {pol.sql, "doc_owner PERMISSIVE ALL {public} (owner = CURRENT_USER) -"}}},
      {"every attribute changed, forced, comment",
       t + "  force row level security\n}\n"
           "policy doc_owner on doc as restrictive for update to schemac_kinds_app, schemac_kinds_admin\n"
           "  using (owner = current_user or owner = 'shared') with check (owner = current_user)\n"
           "comment on policy doc_owner on doc is 'own rows'\n",
       0,
       {{rls.sql, "true true"},
        {pol.sql, "doc_owner RESTRICTIVE UPDATE {schemac_kinds_admin,schemac_kinds_app} "
                  "((owner = CURRENT_USER) OR (owner = 'shared'::text)) (owner = CURRENT_USER)"},
        {"SELECT obj_description(oid, 'pg_policy') FROM pg_policy WHERE polname = 'doc_owner'", "own rows"}}},
      {"command and roles changed again", t + "  row level security\n}\n"
                                             "policy doc_owner on doc for insert to schemac_kinds_app with check (owner = current_user)\n",
       0,
       {{rls.sql, "true false"}, {pol.sql, "doc_owner PERMISSIVE INSERT {schemac_kinds_app} - (owner = CURRENT_USER)"}}},
      {"rename", t + "  row level security\n}\n"
                    "policy doc_mine on doc renamed from doc_owner for insert to schemac_kinds_app with check (owner = current_user)\n",
       0, {{pol.sql, "doc_mine PERMISSIVE INSERT {schemac_kinds_app} - (owner = CURRENT_USER)"}}, false, "",
       {"RENAME TO doc_mine"}, {"DROP POLICY"}},
      {"drop the policy", t + "  row level security\n}\n", 0, {{pol.sql, "NULL"}, {rls.sql, "true false"}}},
      {"disable row level security", t + "}\n", 0, {{rls.sql, "false false"}}},
      {"forced without being enabled", t + "  force row level security not enabled\n}\n", 0,
       {{rls.sql, "false true"}}},
      {"enabled, no longer forced", t + "}\nrow level security on doc\n", 0, {{rls.sql, "true false"}}},
      {"forced again, and disabled", t + "}\nforce row level security not enabled on doc\n", 0,
       {{rls.sql, "false true"}}},
  });
}

// ---- grants and comments ------------------------------------------------------------------------

TEST_CASE("grant: tables, columns, schemas, sequences, functions, types, grant option, revoke", "[kinds]") {
  Kinds k("grant");
  CreateRoles(k.conn(), {"schemac_kinds_r", "schemac_kinds_w"});
  const std::string objects =
      "schema app\ntable app.t {\n  id integer primary key\n  note text\n}\nsequence app.s\n"
      "function app.f() returns integer language sql as $$ select 1 $$\nenum app.e { a, b }\n";
  const Check acl{"SELECT string_agg(x, ' ' ORDER BY x) FROM ("
                  " SELECT 'table:' || grantee || ':' || privilege_type || ':' || is_grantable AS x"
                  "   FROM information_schema.role_table_grants WHERE table_schema = 'app' AND grantee LIKE 'schemac_kinds_%'"
                  " UNION ALL SELECT 'column:' || grantee || ':' || column_name || ':' || privilege_type || ':' || is_grantable"
                  "   FROM information_schema.column_privileges cp WHERE table_schema = 'app' AND grantee LIKE 'schemac_kinds_%'"
                  "   AND NOT EXISTS (SELECT 1 FROM information_schema.role_table_grants g WHERE g.table_schema = 'app'"
                  "     AND g.table_name = cp.table_name AND g.grantee = cp.grantee AND g.privilege_type = cp.privilege_type)"
                  " UNION ALL SELECT 'schema:' || r.rolname || ':' || p FROM pg_roles r,"
                  "   unnest(ARRAY['USAGE', 'CREATE']) p WHERE r.rolname LIKE 'schemac_kinds_%' AND has_schema_privilege(r.rolname, 'app', p)"
                  " UNION ALL SELECT 'sequence:' || r.rolname || ':' || p FROM pg_roles r, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p"
                  "   WHERE r.rolname LIKE 'schemac_kinds_%' AND has_sequence_privilege(r.rolname, 'app.s', p)"
                  " UNION ALL SELECT 'type:' || r.rolname FROM pg_roles r WHERE r.rolname LIKE 'schemac_kinds_%' AND"
                  "   (SELECT typacl FROM pg_type WHERE oid = 'app.e'::regtype)::text LIKE '%' || r.rolname || '=U%'"
                  " UNION ALL SELECT 'function:' || r.rolname FROM pg_roles r WHERE r.rolname LIKE 'schemac_kinds_%' AND"
                  "   (SELECT proacl FROM pg_proc WHERE oid = 'app.f()'::regprocedure)::text LIKE '%' || r.rolname || '=X%'"
                  ") q",
                  ""};
  const std::string more = objects +
                           "view app.v as select id, note from app.t\nmaterialized view app.m as select id from app.t\n"
                           "domain app.d as integer\nprocedure app.p() language sql as $$ select 1 $$\n";
  const Check other{
      "SELECT string_agg(x, ' ' ORDER BY x) FROM ("
      " SELECT c.relname || ':' || a.grantee::regrole::text || ':' || a.privilege_type AS x"
      "   FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'app'::regnamespace AND c.relname IN ('v', 'm')"
      "   AND a.grantee <> c.relowner"
      " UNION ALL SELECT 'column:v.' || at.attname || ':' || a.grantee::regrole::text || ':' || a.privilege_type"
      "   FROM pg_attribute at, aclexplode(at.attacl) a WHERE at.attrelid = to_regclass('app.v')"
      " UNION ALL SELECT 'domain:' || a.grantee::regrole::text || ':' || a.privilege_type"
      "   FROM pg_type t, aclexplode(t.typacl) a WHERE t.oid = to_regtype('app.d') AND a.grantee <> t.typowner"
      "   AND a.grantee <> 0"
      " UNION ALL SELECT 'procedure:' || a.grantee::regrole::text || ':' || a.privilege_type"
      "   FROM pg_proc p, aclexplode(p.proacl) a WHERE p.oid = to_regprocedure('app.p()') AND a.grantee <> p.proowner"
      "   AND a.grantee <> 0"
      ") q",
      ""};
  k.Run({
      {"create", objects + "grant usage on schema app to schemac_kinds_r\ngrant select on app.t to schemac_kinds_r\n", 0,
       {{acl.sql, "schema:schemac_kinds_r:USAGE table:schemac_kinds_r:SELECT:NO"}}},
      {"more privileges, columns, grant option, every kind of object",
       objects + "grant usage, create on schema app to schemac_kinds_r\n"
                 "grant select, insert on app.t to schemac_kinds_r, schemac_kinds_w with grant option\n"
                 "grant update (note) on table app.t to schemac_kinds_r\n"
                 "grant usage on sequence app.s to schemac_kinds_w\n"
                 "grant execute on function app.f() to schemac_kinds_r\n"
                 "grant usage on type app.e to schemac_kinds_w\n",
       0,
       {{acl.sql, "column:schemac_kinds_r:note:UPDATE:NO function:schemac_kinds_r schema:schemac_kinds_r:CREATE "
                  "schema:schemac_kinds_r:USAGE sequence:schemac_kinds_w:USAGE table:schemac_kinds_r:INSERT:YES "
                  "table:schemac_kinds_r:SELECT:YES table:schemac_kinds_w:INSERT:YES table:schemac_kinds_w:SELECT:YES "
                  "type:schemac_kinds_w"}}},
      {"grant option taken away, column list changed",
       objects + "grant usage on schema app to schemac_kinds_r\n"
                 "grant select, insert on app.t to schemac_kinds_r, schemac_kinds_w\n"
                 "grant update (id, note) on table app.t to schemac_kinds_r\n",
       0,
       {{acl.sql, "column:schemac_kinds_r:id:UPDATE:NO column:schemac_kinds_r:note:UPDATE:NO schema:schemac_kinds_r:USAGE "
                  "table:schemac_kinds_r:INSERT:NO table:schemac_kinds_r:SELECT:NO table:schemac_kinds_w:INSERT:NO "
                  "table:schemac_kinds_w:SELECT:NO"}}},
      {"all privileges", objects + "grant all privileges on table app.t to schemac_kinds_w\n", 0,
       {{acl.sql, "table:schemac_kinds_w:DELETE:NO table:schemac_kinds_w:INSERT:NO table:schemac_kinds_w:REFERENCES:NO "
                  "table:schemac_kinds_w:SELECT:NO table:schemac_kinds_w:TRIGGER:NO table:schemac_kinds_w:TRUNCATE:NO "
                  "table:schemac_kinds_w:UPDATE:NO"}}},
      {"views, materialized views, domains, procedures, view columns",
       more + "grant select on view app.v to schemac_kinds_r\ngrant select (id) on view app.v to schemac_kinds_w\n"
              "grant select on materialized view app.m to schemac_kinds_r\ngrant usage on domain app.d to schemac_kinds_w\n"
              "grant execute on procedure app.p to schemac_kinds_w\n",
       0,
       {{other.sql, "column:v.id:schemac_kinds_w:SELECT domain:schemac_kinds_w:USAGE m:schemac_kinds_r:SELECT "
                    "procedure:schemac_kinds_w:EXECUTE v:schemac_kinds_r:SELECT"},
        {acl.sql, "column:schemac_kinds_w:id:SELECT:NO table:schemac_kinds_r:SELECT:NO"}}},
      {"revoked without --allow-drop", more, 0, {{acl.sql, "NULL"}, {other.sql, "NULL"}}},
  });
}

TEST_CASE("comment: on every kind of object, changed, removed", "[kinds]") {
  Kinds k("comment");
  const std::string objects =
      "extension pg_trgm\nschema app\nenum app.e { a, b }\ndomain app.d as integer\ntype app.c as (x integer)\n"
      "sequence app.s\n"
      "table app.t {\n  id integer primary key\n  v text\n  constraint t_v_check check (v <> '')\n  index t_v (v)\n"
      "  row level security\n}\n"
      "view app.w as select id from app.t\nmaterialized view app.m as select id from app.t\n"
      "function app.f() returns trigger language plpgsql as $$ begin return new; end $$\n"
      "procedure app.p() language sql as $$ select 1 $$\n"
      "trigger t_f before insert on app.t for each row execute function app.f()\n"
      "policy t_all on app.t using (true)\n";
  auto comments = [](const std::string& text) {
    std::string out;
    for (const char* target :
         {"extension pg_trgm", "schema app", "enum app.e", "domain app.d", "type app.c", "sequence app.s", "table app.t",
          "column app.t.v", "constraint t_v_check on app.t", "index app.t_v", "view app.w", "materialized view app.m",
          "function app.f()", "procedure app.p", "trigger t_f on app.t", "policy t_all on app.t"}) {
      out += std::string("comment on ") + target + " is '" + text + " " + target + "'\n";
    }
    return out;
  };
  const Check all{
      "SELECT string_agg(description, ',' ORDER BY description) FROM ("
      " SELECT description FROM pg_description UNION ALL SELECT description FROM pg_shdescription) d "
      "WHERE description LIKE 'kinds-%'",
      ""};
  auto expected = [](const std::string& text) {
    std::vector<std::string> items;
    for (const char* target :
         {"extension pg_trgm", "schema app", "enum app.e", "domain app.d", "type app.c", "sequence app.s", "table app.t",
          "column app.t.v", "constraint t_v_check on app.t", "index app.t_v", "view app.w", "materialized view app.m",
          "function app.f()", "procedure app.p", "trigger t_f on app.t", "policy t_all on app.t"}) {
      items.push_back(text + " " + target);
    }
    std::sort(items.begin(), items.end());
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
  };
  k.Run({
      {"create with comments", objects + comments("kinds-first"), 0, {{all.sql, expected("kinds-first")}}},
      {"every comment changed", objects + comments("kinds-second"), 0, {{all.sql, expected("kinds-second")}}},
      {"every comment removed", objects, 0, {{all.sql, "NULL"}}},
  });
}

// ---- data safety --------------------------------------------------------------------------------

TEST_CASE("destructive changes without --allow-drop keep every row and every value", "[kinds][safety]") {
  Kinds k("safety");
  const std::string v1 =
      "enum status { new, paid, gone }\n"
      "sequence ticket_no start 1000\n"
      "table customers {\n"
      "  id       bigint primary key\n"
      "  email    text not null unique\n"
      "  balance  numeric(12,2)\n"
      "  tags     text[]\n"
      "  meta     jsonb\n"
      "  created  timestamptz not null\n"
      "  st       status not null default 'new'\n"
      "  legacy   text\n"
      "  code     varchar(20)\n"
      "}\n"
      "table orders {\n"
      "  id           bigint primary key\n"
      "  customer_id  bigint not null references customers (id)\n"
      "  amount       numeric(12,2) not null\n"
      "  at           timestamptz\n"
      "  qty          bigint\n"
      "}\n"
      "table audit {\n"
      "  id   bigint primary key\n"
      "  msg  text\n"
      "}\n";
  k.Run({{"create", v1, 0, {}}});
  k.conn().Exec(
      "INSERT INTO customers VALUES"
      " (1, 'a@x', 1234567890.12, '{red,green}', '{\"k\": [1, 2, {\"n\": null}]}', '2024-02-29 23:59:59.123456+00', 'paid', 'old-1', 'ABCDEFGHIJKLMNOP'),"
      " (2, 'b@x', -0.01, '{}', 'null', '1970-01-01 00:00:00+00', 'gone', NULL, 'short'),"
      " (3, 'c''s@x', NULL, '{\"with space\",\"quote\\\"d\",NULL}', '[]', 'infinity', 'new', 'Grüße, \\ and ''quotes''', NULL);"
      "INSERT INTO orders VALUES (10, 1, 99.99, '2025-06-01 12:00+02', 5000000000), (11, 1, 0, NULL, NULL),"
      " (12, 3, 1234567890.12, '-infinity', -1);"
      "INSERT INTO audit VALUES (1, 'created'), (2, 'paid');"
      "SELECT nextval('ticket_no'); SELECT nextval('ticket_no'); SELECT nextval('ticket_no');");
  const std::string dump =
      "SELECT (SELECT string_agg(row(id, email, balance, tags, meta, created, st, legacy, code)::text, '|' ORDER BY id) FROM customers)"
      " || ' # ' || (SELECT string_agg(row(id, customer_id, amount, at, qty)::text, '|' ORDER BY id) FROM orders)"
      " || ' # ' || (SELECT string_agg(t::text, '|' ORDER BY id) FROM audit t)"
      " || ' # ' || (SELECT last_value FROM ticket_no)"
      " || ' # ' || enum_range(NULL::status)::text";
  const std::string before = k.One(dump);
  REQUIRE(before.find("old-1") != std::string::npos);

  // Destructive: a dropped table, a dropped column, narrowing type changes, an enum value in use
  // dropped, a dropped sequence. Not destructive: a widened type, a new column, an index, a view,
  // a check, a comment. Objects built on a column whose lossy type change is withheld (a check
  // on it, an index on it, a view reading it) are created after that change, so they wait with it.
  const std::string v2 =
      "enum status { new, paid }\n"
      "table customers {\n"
      "  id       bigint primary key\n"
      "  email    text not null unique\n"
      "  balance  numeric(14,2)\n"
      "  tags     text[]\n"
      "  meta     jsonb\n"
      "  created  timestamptz not null\n"
      "  st       status not null default 'new'\n"
      "  code     varchar(5)\n"
      "  phone    text\n"
      "  check customers_balance_floor (balance > -1000)\n"
      "  index customers_created (created desc)\n"
      "  comment 'people'\n"
      "}\n"
      "table orders {\n"
      "  id           bigint primary key\n"
      "  customer_id  bigint not null references customers (id)\n"
      "  amount       numeric(8,2) not null\n"
      "  at           date\n"
      "  qty          integer\n"
      "  check orders_amount_positive (amount >= 0)\n"
      "  index orders_at (at)\n"
      "  index orders_customer (customer_id)\n"
      "}\n"
      "view customer_emails as select id, email from customers\n"
      "view big_orders as select id, amount from orders where amount > 50\n";
  const std::string path = k.Write(v2);
  const RunResult r = k.Apply(path, false);
  INFO(r.out << r.err);
  REQUIRE(r.exit == 3);
  CHECK(k.One(dump) == before);
  for (const char* withheld :
       {"- table public.audit (its rows are lost)  [destructive]",
        "- column public.customers.legacy (its values are lost)  [destructive]",
        "column public.customers.code: type character varying(20) -> character varying(5) (lossy",
        "column public.orders.amount: type numeric(12,2) -> numeric(8,2) (lossy",
        "column public.orders.at: type timestamp with time zone -> date (lossy",
        "column public.orders.qty: type bigint -> integer (lossy", "- sequence public.ticket_no (its current value is lost)  [destructive]",
        "enum public.status: values removed ('gone')", "+ index public.orders_at on public.orders  [needs --allow-drop]",
        "+ view public.big_orders  [needs --allow-drop]",
        // Added online (NOT VALID, then validated): two steps, both withheld with the lossy change.
        "+ check constraint orders_amount_positive on public.orders (NOT VALID, validated later)  [needs --allow-drop]",
        "-- withheld (needs --allow-drop): ALTER TABLE public.orders VALIDATE CONSTRAINT orders_amount_positive;",
        "-- withheld (needs --allow-drop): DROP TABLE public.audit;",
        "-- withheld (needs --allow-drop): ALTER TABLE public.customers DROP COLUMN legacy;",
        "-- withheld (needs --allow-drop): DROP SEQUENCE public.ticket_no;",
        "-- withheld (needs --allow-drop): ALTER TYPE public.status RENAME TO status_schemac_old;",
        "Verified: the database matches the schema except 17 withheld destructive changes"}) {
    INFO("expected in the apply output: " << withheld);
    CHECK(Contains(r.out, withheld));
  }
  // The rest is applied.
  CHECK(k.One("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'customers'::regclass "
              "AND attname = 'balance'") == "numeric(14,2)");
  CHECK(k.One("SELECT count(*) FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attname = 'phone'") == "1");
  CHECK(k.One("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'customers'::regclass "
              "AND contype = 'c'") == "customers_balance_floor");
  CHECK(k.One("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN "
              "('customers_created', 'orders_customer', 'customer_emails', 'orders_at', 'big_orders')") ==
        "customer_emails,customers_created,orders_customer");
  CHECK(k.One("SELECT obj_description('customers'::regclass, 'pg_class')") == "people");
  CHECK(k.One("SELECT string_agg(row(id, email)::text, '|' ORDER BY id) FROM customer_emails") ==
        "(1,a@x)|(2,b@x)|(3,c's@x)");
  k.ExpectConverged(path, true);
  // A second apply without the flag changes nothing and withholds the same.
  const RunResult again = k.Apply(path, false);
  INFO(again.out << again.err);
  CHECK(again.exit == 3);
  CHECK(Contains(again.out, "Applied 0 statements"));
  CHECK(k.One(dump) == before);
  // With --allow-drop the stored 'gone' cannot become a value of the new enum (and 'ABCDEFGHIJKLMNOP'
  // does not fit varchar(5)): the destructive stage fails and is rolled back whole, so still
  // nothing is lost.
  const RunResult forced = k.Apply(path, true);
  INFO(forced.out << forced.err);
  CHECK(forced.exit == 1);
  CHECK(Contains(forced.err, "the 'contract' stage was rolled back"));
  CHECK(Contains(forced.err, "SQLSTATE"));
  CHECK(Contains(forced.err, "  statement: "));
  CHECK(k.One(dump) == before);
  CHECK(k.One("SELECT outcome FROM schemac.history ORDER BY id DESC LIMIT 1") == "failed");
}

// ---- concurrency --------------------------------------------------------------------------------

// A target whose apply holds the lock for a while on the live database but normalizes fast: the
// materialized view sleeps once per row of `seed`, which has rows only in the live database.
std::string Slow(const std::string& extra, const std::string& sleep = "0.5") {
  return "table seed {\n  n integer\n}\n"
         "materialized view slow as select pg_sleep(" + sleep + ") is not null as slept from seed\n" + extra;
}

void Seed(Kinds& k) {
  k.Run({{"the seed table", "table seed {\n  n integer\n}\n", 0, {}}});
  k.conn().Exec("INSERT INTO seed VALUES (1), (2), (3)");
}

TEST_CASE("two concurrent applies of the same target: one waits, the database ends up right", "[kinds][concurrency]") {
  Kinds k("concurrent");
  Seed(k);
  const std::string path = k.Write(Slow("table t {\n  id integer primary key\n  v text\n}\nindex t_v on t (v)\n"));
  auto apply = [&] { return k.Apply(path, false); };
  auto a = std::async(std::launch::async, apply);
  auto b = std::async(std::launch::async, apply);
  const RunResult ra = a.get(), rb = b.get();
  INFO("first:\n" << ra.out << ra.err << "\nsecond:\n" << rb.out << rb.err);
  // Both succeed: one runs the plan; the other waited for it and found nothing left to do, or
  // planned after it had finished. Neither fails with a half-run stale plan.
  CHECK(ra.exit == 0);
  CHECK(rb.exit == 0);
  const bool a_ran = Contains(ra.out, "Applied 3 statements");
  const bool b_ran = Contains(rb.out, "Applied 3 statements");
  CHECK(a_ran != b_ran);
  const RunResult& other = a_ran ? rb : ra;
  // The one that did not run says why; when it waited, it names the session it waited for.
  const bool waited = Contains(other.out, "for another schemac apply to finish (it held the apply lock: backend pid ");
  if (waited) {
    CHECK(Contains(other.out, "Nothing left to do: the database already has the planned changes"));
    CHECK(Contains(other.out, "Verified: the database matches the schema."));
  } else {
    CHECK(Contains(other.out, kNoChanges));
  }
  CHECK(k.One("SELECT count(*) FROM pg_class WHERE relname IN ('t', 'slow', 't_v')") == "3");
  CHECK(k.One("SELECT count(*) FROM slow") == "3");
  k.ExpectConverged(path, false);
  // History: the seed apply, the apply that ran (with its statements), and the one that found
  // nothing to do (with none, whether it waited or planned after the first had finished).
  CHECK(k.One("SELECT string_agg(outcome || ':' || coalesce(array_length(statements, 1), 0), ',' ORDER BY id) "
              "FROM schemac.history") == "applied:1,applied:3,applied:0");
}

TEST_CASE("a concurrent apply that cannot wait long enough fails and names the lock holder", "[kinds][concurrency]") {
  Kinds k("lockwait");
  Seed(k);
  const std::string path = k.Write(Slow("table t {\n  id integer primary key\n}\n", "1"));
  auto apply = [&] { return k.Apply(path, false, {"--lock-wait", "1"}); };
  auto a = std::async(std::launch::async, apply);
  auto b = std::async(std::launch::async, apply);
  const RunResult ra = a.get(), rb = b.get();
  INFO("first:\n" << ra.out << ra.err << "\nsecond:\n" << rb.out << rb.err);
  const bool a_ok = ra.exit == 0;
  const RunResult& ok = a_ok ? ra : rb;
  const RunResult& failed = a_ok ? rb : ra;
  CHECK(ok.exit == 0);
  CHECK(Contains(ok.out, "Applied 2 statements"));
  CHECK(failed.exit == 1);
  CHECK(Contains(failed.err, "another schemac apply is running: waited 1000 ms for its lock, held by backend pid "));
  k.ExpectConverged(path, false);
  CHECK(k.One("SELECT string_agg(outcome || ':' || array_length(statements, 1), ',' ORDER BY id) FROM schemac.history") ==
        "applied:1,applied:2");
}

TEST_CASE("an apply whose plan went out of date while it waited runs nothing and says why", "[kinds][concurrency]") {
  Kinds k("stale");
  Seed(k);
  const std::string first = k.Write(Slow("table t {\n  id integer primary key\n}\n"), "first.schema");
  const std::string second = k.Write(Slow("table t {\n  id integer primary key\n  v text\n}\n"), "second.schema");
  const std::string history = "SELECT count(*) FROM schemac.history";
  auto a = std::async(std::launch::async, [&] { return k.Apply(first, false); });
  // The second starts once the first is running its statements (the lock is free until then, and
  // the first's history row is written in its stage's transaction, so wait for its lock instead).
  for (int i = 0; i < 500 && k.One("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                                      "database = (SELECT oid FROM pg_database WHERE datname = current_database())") == "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const RunResult rb = k.Apply(second, false);
  const RunResult ra = a.get();
  INFO("first:\n" << ra.out << ra.err << "\nsecond:\n" << rb.out << rb.err);
  CHECK(ra.exit == 0);
  // The second planned against the database without t (CREATE TABLE t (id, v)); when it could
  // run, t existed without v. Running that plan would fail half way.
  CHECK(rb.exit == 1);
  CHECK(Contains(rb.err, "the database changed after this plan was made"));
  CHECK(Contains(rb.err, "nothing was applied"));
  CHECK(Contains(rb.err, "which held the apply lock: backend pid "));
  CHECK(k.One("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 't'::regclass "
              "AND attnum > 0") == "id");
  CHECK(k.One("SELECT string_agg(outcome, ',' ORDER BY id) FROM schemac.history") == "applied,applied,failed");
  CHECK(Contains(k.One("SELECT error FROM schemac.history WHERE outcome = 'failed'"), "the database changed"));
  CHECK(k.One(history) == "3");
  k.ExpectConverged(first, false);
  // Run again, the second target applies what is left.
  const RunResult again = k.Apply(second, false);
  INFO(again.out << again.err);
  CHECK(again.exit == 0);
  CHECK(Contains(again.out, "ALTER TABLE public.t ADD COLUMN v text;"));
  k.ExpectConverged(second, false);
}
