// schemac diff through the command line, against a real PostgreSQL: each side a schema or a
// database, in every combination. A plan printed as SQL and run on a copy of FROM must leave
// nothing to change; a database against a schema prints exactly what plan prints; identical sides
// exit 0.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/examples.h"
#include "tests/support/pgtest.h"

namespace {

namespace fs = std::filesystem;
using schemac::test::CliResult;
using schemac::test::RunCli;

constexpr char kNoChanges[] = "No changes: both sides match.\n";

const char* kV1 = R"(enum status { open, closed }

table customers {
  id    bigint generated always as identity primary key
  name  text not null
  note  text
}

table orders {
  id           bigint primary key
  customer_id  bigint not null references customers (id)
  status       status not null default 'open'
}

view open_orders as select id, customer_id from orders where status = 'open'
)";

const char* kV2 = R"(enum status { open, closed, cancelled }

table customers {
  id     bigint generated always as identity primary key
  name   text not null
  email  text unique
}

table orders {
  id           bigint primary key
  customer_id  bigint not null references customers (id) on delete cascade
  status       status not null default 'open'
  total_cents  integer not null default 0 check (total_cents >= 0)

  index orders_by_customer (customer_id)
}

view open_orders as select id, customer_id, total_cents from orders where status = 'open'

function order_count(c bigint) returns bigint language sql stable
  as $$ select count(*) from public.orders where customer_id = c $$
)";

struct Fixture {
  Fixture() : dir(fs::temp_directory_path() / ("schemac_diff_cli_" + v1.name())) {
    fs::create_directories(dir);
    std::ofstream(dir / "v1.schema") << kV1;
    std::ofstream(dir / "v2.schema") << kV2;
    REQUIRE(RunCli({"apply", path("v1.schema"), "--db", v1.conninfo(), "--yes"}).exit == 0);
    REQUIRE(RunCli({"apply", path("v2.schema"), "--db", v2.conninfo(), "--yes"}).exit == 0);
  }
  ~Fixture() { fs::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }

  schemac::test::ScratchDatabase v1{"diff_v1"};
  schemac::test::ScratchDatabase v2{"diff_v2"};
  fs::path dir;
};

// Runs the statements of a `--format sql` plan on `conninfo`.
void RunSql(const std::string& conninfo, const std::string& sql) {
  schemac::pg::Connection c(conninfo);
  c.Exec(sql);
}

}  // namespace

TEST_CASE("diff: database to database, as SQL, turns one into the other", "[diff]") {
  Fixture f;
  const CliResult text = RunCli({"diff", f.v1.conninfo(), f.v2.conninfo()});
  INFO(text.out << text.err);
  CHECK(text.exit == 2);
  CHECK(text.out.find("+ column public.customers.email") != std::string::npos);
  CHECK(text.out.find("- column public.customers.note (its values are lost)  [destructive]") != std::string::npos);
  CHECK(text.out.find("-- withheld (needs --allow-drop): ALTER TABLE public.customers DROP COLUMN note;") !=
        std::string::npos);
  // Without --allow-drop the destructive statement carries plan's mark; with it, none.
  const CliResult marked = RunCli({"diff", f.v1.conninfo(), f.v2.conninfo(), "--format", "sql"});
  CHECK(marked.out.find("-- needs --allow-drop:\nALTER TABLE public.customers DROP COLUMN note;") != std::string::npos);
  const CliResult sql = RunCli({"diff", f.v1.conninfo(), f.v2.conninfo(), "--format", "sql", "--allow-drop"});
  REQUIRE(sql.exit == 2);
  CHECK(sql.out.find("-- needs --allow-drop") == std::string::npos);
  RunSql(f.v1.conninfo(), sql.out);
  const CliResult after = RunCli({"diff", f.v1.conninfo(), f.v2.conninfo()});
  INFO(after.out << after.err);
  CHECK(after.exit == 0);
  CHECK(after.out == kNoChanges);
  // And v1 now matches the v2 schema too.
  CHECK(RunCli({"plan", f.path("v2.schema"), "--db", f.v1.conninfo()}).exit == 0);
}

TEST_CASE("diff: a database against a schema prints what plan prints", "[diff]") {
  Fixture f;
  // diff writes plain DDL unless --online; plan uses the online techniques unless --no-online.
  const CliResult diff = RunCli({"diff", f.v1.conninfo(), f.path("v2.schema")});
  const CliResult plan = RunCli({"plan", f.path("v2.schema"), "--db", f.v1.conninfo(), "--no-online"});
  INFO(diff.out << diff.err);
  CHECK(diff.exit == 2);
  CHECK(plan.exit == 2);
  CHECK(diff.out == plan.out);
  // Steps point at the .schema lines of the TO side.
  CHECK(diff.out.find("+ function public.order_count(bigint)  (" + f.path("v2.schema") + ":20:1)") !=
        std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(RunCli({"diff", f.v1.conninfo(), f.path("v2.schema"),
                                                            "--format", "json"}).out);
  size_t with_source = 0;
  for (const auto& step : json["steps"]) {
    const std::string source = step["source"];
    // Drops have no source; every other step names its line in v2.schema.
    if (step["action"] == "-") {
      CHECK(source.empty());
    } else {
      CHECK(source.starts_with(f.path("v2.schema") + ":"));
      ++with_source;
    }
  }
  CHECK(with_source >= 8);
}

TEST_CASE("diff: a schema against a database, and a schema against a schema", "[diff]") {
  Fixture f;
  // schema -> database: the steps from v1 to what the v2 database holds; no source lines (the
  // target is a database).
  const CliResult to_db = RunCli({"diff", f.path("v1.schema"), f.v2.conninfo(), "--format", "json"});
  INFO(to_db.out << to_db.err);
  CHECK(to_db.exit == 2);
  const nlohmann::json json = nlohmann::json::parse(to_db.out);
  bool adds_email = false;
  for (const auto& step : json["steps"]) {
    CHECK(step["source"] == "");
    adds_email = adds_email || step["sql"] == "ALTER TABLE public.customers ADD COLUMN email text;";
  }
  CHECK(adds_email);

  // schema -> schema, as SQL, run on the v1 database: it then matches v2.
  const CliResult sql = RunCli({"diff", f.path("v1.schema"), f.path("v2.schema"), "--format", "sql", "--allow-drop"});
  INFO(sql.err);
  REQUIRE(sql.exit == 2);
  RunSql(f.v1.conninfo(), sql.out);
  CHECK(RunCli({"diff", f.v1.conninfo(), f.path("v2.schema")}).out == kNoChanges);
  CHECK(RunCli({"diff", f.path("v2.schema"), f.v1.conninfo()}).exit == 0);
}

TEST_CASE("diff: identical sides have no changes", "[diff]") {
  Fixture f;
  // A key=value conninfo names a database too.
  schemac::pg::Connection c(f.v1.conninfo());
  const auto row = c.Query("SELECT host(inet_server_addr()), inet_server_port(), current_user")[0];
  const std::string keyword_form = "host=" + row[0].value_or("") + " port=" + row[1].value_or("") +
                                   " user=" + row[2].value_or("") + " dbname=" + f.v1.name();
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {f.v1.conninfo(), f.v1.conninfo()},
           {f.v1.conninfo(), keyword_form},
           {f.path("v1.schema"), f.path("v1.schema")},
           {f.path("v1.schema"), f.v1.conninfo()},
           {f.v2.conninfo(), f.path("v2.schema")}}) {
    const CliResult r = RunCli({"diff", from, to});
    INFO(from << " -> " << to << "\n" << r.out << r.err);
    CHECK(r.exit == 0);
    CHECK(r.out == kNoChanges);
  }
}

TEST_CASE("diff: errors in a schema side or an unreachable database exit 1", "[diff]") {
  const fs::path dir = fs::temp_directory_path() / "schemac_diff_cli_errors";
  fs::create_directories(dir);
  std::ofstream(dir / "bad.schema") << "table t { id nosuchtype }\n";
  std::ofstream(dir / "good.schema") << "table t { id int }\n";
  const CliResult bad = RunCli({"diff", (dir / "bad.schema").string(), (dir / "good.schema").string()});
  CHECK(bad.exit == 1);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("unknown type 'nosuchtype' [unknown-type]") != std::string::npos);
  const CliResult down = RunCli({"diff", "postgresql://127.0.0.1:1/nothing?connect_timeout=2", (dir / "good.schema").string()});
  CHECK(down.exit == 1);
  CHECK(down.err.find("schemac: error:") == 0);
  CHECK(RunCli({"diff", (dir / "good.schema").string()}).exit == 64);
  fs::remove_all(dir);
}
