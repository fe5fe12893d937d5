// schemac inspect against a real PostgreSQL: the round trip (inspect a database, then `check` the
// files and `plan` them against the same database: no changes) for every example schema and for a
// database written by hand in SQL (tests/integration/inspect_handwritten.sql), the printed form
// of a small database pinned byte for byte, determinism, and errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/examples.h"
#include "tests/support/pgtest.h"

namespace {

namespace fs = std::filesystem;
using schemac::test::CliResult;
using schemac::test::RunCli;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A directory for one test's files, removed afterwards.
struct TempDir {
  explicit TempDir(const std::string& name) : path(fs::temp_directory_path() / ("schemac_inspect_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& child) const { return (path / child).string(); }
  fs::path path;
};

// inspect -o DIR (optionally --split), then check and plan the files against the same database;
// the plan lists what schemac does not manage (`unmanaged`, its lines) and nothing else.
void RoundTrip(const std::string& conninfo, const std::string& dir, bool split, const std::string& unmanaged = "") {
  std::vector<std::string> args = {"inspect", "--db", conninfo, "-o", dir};
  if (split) args.push_back("--split");
  const CliResult inspected = RunCli(args);
  INFO("inspect: " << inspected.out << inspected.err);
  REQUIRE(inspected.exit == 0);
  CHECK(inspected.err.find("warning") == std::string::npos);
  const CliResult checked = RunCli({"check", dir});
  INFO("check: " << checked.err);
  CHECK(checked.exit == 0);
  const CliResult planned = RunCli({"plan", dir, "--db", conninfo});
  INFO("plan: " << planned.out << planned.err);
  CHECK(planned.exit == 0);
  CHECK(planned.out == "No changes: the database matches the schema.\n" + unmanaged);
}

// The files of a directory, relative path -> text.
std::map<std::string, std::string> Files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).generic_string()] = ReadFile(e.path());
  }
  return out;
}

}  // namespace

TEST_CASE("inspect: every example schema, loaded with schemac sql, prints files that plan no changes",
          "[inspect]") {
  for (const schemac::test::ExampleSchema& example : schemac::test::ExampleSchemas()) {
    DYNAMIC_SECTION(example.name) {
      schemac::test::ScratchDatabase db("inspect");
      schemac::pg::Connection c(db.conninfo());
      schemac::test::CreateRoles(c, example.roles);
      const CliResult sql = RunCli({"sql", example.path});
      REQUIRE(sql.exit == 0);
      c.Exec(sql.out);
      TempDir dir(db.name());
      RoundTrip(db.conninfo(), dir / "one", false);
      RoundTrip(db.conninfo(), dir / "split", true);
      // One file per schema, or one per table plus one per schema: the same declarations.
      const auto one = Files(dir.path / "one");
      const auto split = Files(dir.path / "split");
      CHECK(split.size() > one.size());
      for (const auto& [path, text] : one) CHECK(path.find('/') == std::string::npos);
      // Standard output holds the same files, each after a `-- file:` line, and is one valid schema.
      const CliResult printed = RunCli({"inspect", "--db", db.conninfo()});
      REQUIRE(printed.exit == 0);
      std::string expected;
      for (const auto& [path, text] : one) expected += (expected.empty() ? "" : "\n") + ("-- file: " + path + "\n\n" + text);
      CHECK(printed.out == expected);
      std::ofstream(dir / "all.schema") << printed.out;
      CHECK(RunCli({"plan", dir / "all.schema", "--db", db.conninfo()}).exit == 0);
      // Deterministic: the same database, the same bytes.
      CHECK(RunCli({"inspect", "--db", db.conninfo()}).out == printed.out);
    }
  }
}

TEST_CASE("inspect: a database written by hand in SQL prints files that plan no changes", "[inspect]") {
  schemac::test::ScratchDatabase db("inspect_sql");
  schemac::pg::Connection c(db.conninfo());
  schemac::test::CreateRoles(c, {"app_user", "app_readonly", "app_admin", "Admin"});
  c.Exec(ReadFile(fs::path(SCHEMAC_SOURCE_DIR) / "tests/integration/inspect_handwritten.sql"));
  TempDir dir(db.name());
  const std::string unmanaged =
      "  ! unmanaged aggregate public.product(integer): left as it is\n"
      "  ! unmanaged rule order_no_delete on public.\"order\": left as it is\n";
  RoundTrip(db.conninfo(), dir / "one", false, unmanaged);
  RoundTrip(db.conninfo(), dir / "split", true, unmanaged);

  // What schemac does not manage is named on standard error, never printed.
  const CliResult r = RunCli({"inspect", "--db", db.conninfo()});
  REQUIRE(r.exit == 0);
  CHECK(r.err == "unmanaged: aggregate public.product(integer)\n"
                 "unmanaged: rule order_no_delete on public.\"order\"\n");
  CHECK(r.out.find("product") == std::string::npos);
  CHECK(r.out.find("order_no_delete") == std::string::npos);

  // Names are quoted only where the language needs it; the split layout has a file per table.
  const std::string pub = ReadFile(dir.path / "one" / "public.schema");
  CHECK(pub.find("table \"order\" {\n  \"select\"      integer primary key\n") != std::string::npos);
  CHECK(pub.find("\n  position      smallint default 0\n") != std::string::npos);
  CHECK(pub.find("\n  comment       text\n") != std::string::npos);
  CHECK(pub.find("enum \"Mood\" { happy, 'Very Sad', 'it''s', 'select' }\n") != std::string::npos);
  CHECK(pub.find("comment E'Two lines:\\nand it''s quoted'") != std::string::npos);
  CHECK(pub.find("  id           serial primary key comment 'Serial'\n") != std::string::npos);
  CHECK(pub.find("  neg          integer default -1\n") != std::string::npos);
  CHECK(pub.find("  check \"OrderLines_qty_check1\" (qty < 1000)\n") != std::string::npos);
  CHECK(pub.find("grant execute on function add(integer, integer) to app_user\n") != std::string::npos);
  CHECK(pub.find("  as $$RETURN (x * 2)$$\n") != std::string::npos);  // a SQL-standard body
  CHECK(pub.find("  as $$BEGIN ATOMIC\n") != std::string::npos);
  CHECK(pub.find("table index {\n  force         text\n  row           integer\n") != std::string::npos);
  CHECK(pub.find("  s             text collate \"C\" default '--x'\n") != std::string::npos);
  CHECK(pub.find("enum public.\"int\" { 'a,b', '', 'x y' }\n") != std::string::npos);
  CHECK(pub.find("function comment(\"out\" integer, \"setof\" text, \"inout\" integer default 1)") != std::string::npos);
  CHECK(pub.find("view multi as\n  SELECT 'line one\nline two'::text AS t\n") != std::string::npos);
  const auto split = Files(dir.path / "split");
  CHECK(split.count("Reporting.schema") == 1);
  CHECK(split.count("public/order.schema") == 1);
  CHECK(split.count("public/OrderLines.schema") == 1);
  CHECK(split.count("inventory/movements.schema") == 1);
  CHECK(split.count("inventory/movements_2025.schema") == 0);  // partitions are with their parent
}

TEST_CASE("inspect: an empty database and SQL-standard function bodies round-trip", "[inspect]") {
  schemac::test::ScratchDatabase db("inspect_empty");
  TempDir dir(db.name());
  // Nothing in scope still gives a file, which check and plan accept and which plans to nothing.
  RoundTrip(db.conninfo(), dir / "empty", false);
  CHECK(Files(dir.path / "empty").size() == 1);

  schemac::pg::Connection c(db.conninfo());
  c.Exec(R"sql(
CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a + b;
CREATE FUNCTION twice(n integer) RETURNS integer LANGUAGE sql
  BEGIN ATOMIC
    SELECT add(n, n);
  END;
CREATE TABLE t (x integer CHECK (add(x, 1) > 0));
)sql");
  RoundTrip(db.conninfo(), dir / "bodies", false);
}

TEST_CASE("inspect: the printed form of a small database", "[inspect][golden]") {
  schemac::test::ScratchDatabase db("inspect_golden");
  schemac::pg::Connection c(db.conninfo());
  c.Exec(R"sql(
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  "Name" text
);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000) PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  status order_status NOT NULL DEFAULT 'pending',
  total_cents integer NOT NULL CHECK (total_cents >= 0),
  placed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_placed_unless_pending CHECK (status = 'pending' OR placed_at IS NOT NULL),
  UNIQUE (customer_id, placed_at)
);
CREATE INDEX orders_recent ON orders (customer_id, placed_at DESC);
CREATE INDEX ON orders (status) WHERE status <> 'shipped';
COMMENT ON TABLE orders IS 'One checkout';
COMMENT ON COLUMN orders.total_cents IS 'In the smallest unit';
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (
  no integer PRIMARY KEY,
  order_id bigint REFERENCES orders (id),
  "order" text
);
CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE status = 'pending';
GRANT SELECT ON open_orders TO PUBLIC;
)sql");
  const CliResult r = RunCli({"inspect", "--db", db.conninfo()});
  INFO(r.err);
  REQUIRE(r.exit == 0);
  CHECK(r.err.empty());
  CHECK(r.out == R"(-- file: billing.schema

schema billing

table billing.invoices {
  no        integer primary key
  order_id  bigint references orders (id)
  "order"   text
}

-- file: public.schema

enum order_status { pending, paid, shipped }

table customers {
  id      bigint generated always as identity primary key
  email   text not null unique
  "Name"  text
}

table orders {
  id           bigint generated always as identity (start with 1000) primary key
  customer_id  bigint not null references customers (id) on delete cascade
  status       order_status not null default 'pending'
  total_cents  integer not null check (total_cents >= 0) comment 'In the smallest unit'
  placed_at    timestamptz not null default now()

  unique (customer_id, placed_at)
  check orders_placed_unless_pending (status = 'pending'::public.order_status OR placed_at IS NOT NULL)
  index orders_recent (customer_id, placed_at desc)
  index (status) where (status <> 'shipped'::public.order_status)
  comment 'One checkout'
}

view open_orders as
  SELECT orders.id,
     orders.customer_id
    FROM public.orders
   WHERE orders.status = 'pending'::public.order_status
grant select on open_orders to public
)");
}

TEST_CASE("inspect: a database that cannot be read is an error, stray files are named", "[inspect]") {
  const CliResult bad = RunCli({"inspect", "--db", "postgresql://127.0.0.1:1/nothing?connect_timeout=2"});
  CHECK(bad.exit == 1);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("schemac: error:") == 0);

  schemac::test::ScratchDatabase db("inspect_stray");
  schemac::pg::Connection c(db.conninfo());
  c.Exec("CREATE TABLE t (id integer PRIMARY KEY)");
  TempDir dir(db.name());
  std::ofstream(dir / "old.schema") << "table old { id int }\n";
  const CliResult r = RunCli({"inspect", "--db", db.conninfo(), "-o", dir.path.string()});
  CHECK(r.exit == 0);
  CHECK(r.out == "Wrote 1 file to " + dir.path.string() + ".\n");
  CHECK(r.err.find("warning: " + (dir / "old.schema") + " was not written by this inspect") != std::string::npos);
  CHECK(ReadFile(dir.path / "public.schema") == "table t {\n  id  integer primary key\n}\n");
}
