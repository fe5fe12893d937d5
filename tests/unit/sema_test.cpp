// Unit tests of compiler/sema: PostgreSQL's implicit-name rules, type canonicalization, and a few
// whole-schema checks (foreign keys, implicit names, types) on hand-built ASTs. Malformed-input
// behaviour as users see it is covered by the golden cases in tests/cases/check/.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/diag.h"
#include "compiler/model/model.h"
#include "compiler/sema/naming.h"
#include "compiler/sema/sema.h"
#include "compiler/sema/type_names.h"

namespace schemac::sema {
namespace {

// ---- naming ----

TEST_CASE("MakeObjectName joins names and label", "[sema][naming]") {
  CHECK(MakeObjectName("orders", std::nullopt, "pkey") == "orders_pkey");
  CHECK(MakeObjectName("orders", "customer_id", "fkey") == "orders_customer_id_fkey");
  CHECK(MakeObjectName("orders", "a_b", "key") == "orders_a_b_key");
}

TEST_CASE("MakeObjectName truncates the longer name first to 63 bytes", "[sema][naming]") {
  const std::string table(40, 't');
  const std::string column(40, 'c');
  // 63 - len("_") - len("_check") = 56 bytes for both names: 28 each after alternating cuts.
  const std::string name = MakeObjectName(table, column, "check");
  CHECK(name.size() == 63);
  CHECK(name == std::string(28, 't') + "_" + std::string(28, 'c') + "_check");

  // A short table name keeps all of its bytes; the long column name absorbs the cut.
  const std::string long_column(70, 'x');
  const std::string n2 = MakeObjectName("orders", long_column, "key");
  CHECK(n2.size() == 63);
  CHECK(n2 == "orders_" + std::string(63 - 7 - 4, 'x') + "_key");

  // Equal lengths: name2 is cut first (PostgreSQL's `name1chars > name2chars` test).
  const std::string n3 = MakeObjectName(std::string(30, 'a'), std::string(30, 'b'), "fkey");
  CHECK(n3 == std::string(29, 'a') + "_" + std::string(28, 'b') + "_fkey");
  CHECK(n3.size() == 63);

  // No name2: the table name alone is cut.
  CHECK(MakeObjectName(std::string(70, 'p'), std::nullopt, "pkey") == std::string(58, 'p') + "_pkey");
}

TEST_CASE("MakeObjectName never splits a UTF-8 character", "[sema][naming]") {
  // 30 two-byte characters (60 bytes) as the table name, label "pkey": 58 bytes are available,
  // which ends exactly on a boundary; with "fkey" and a name2 the cut lands mid-character.
  std::string accented;
  for (int i = 0; i < 30; ++i) accented += "\xc3\xa9";
  CHECK(MakeObjectName(accented, std::nullopt, "pkey") == accented.substr(0, 58) + "_pkey");
  const std::string n = MakeObjectName(accented, "ab", "fkey");
  // available = 63 - 1 - 5 = 57; name1 gets 55 bytes, clipped back to 54 (27 characters).
  CHECK(n == accented.substr(0, 54) + "_ab_fkey");
}

TEST_CASE("ChooseObjectName numbers the label on conflicts", "[sema][naming]") {
  std::set<std::string> taken = {"t_a_key", "t_a_key1"};
  auto is_taken = [&](const std::string& n) { return taken.contains(n); };
  CHECK(ChooseObjectName("t", "a", "key", is_taken) == "t_a_key2");
  CHECK(ChooseObjectName("t", "b", "key", is_taken) == "t_b_key");
  // Numbering keeps the 63-byte limit: the names are cut further, the label never.
  const std::string table(60, 'x');
  std::set<std::string> long_taken = {MakeObjectName(table, std::nullopt, "pkey")};
  const std::string chosen = ChooseObjectName(
      table, std::nullopt, "pkey", [&](const std::string& n) { return long_taken.contains(n); });
  CHECK(chosen == std::string(57, 'x') + "_pkey1");
}

TEST_CASE("NameAddition and IndexColumnNames follow indexcmds.c", "[sema][naming]") {
  CHECK(NameAddition({"customer_id", "placed_at"}) == "customer_id_placed_at");
  CHECK(NameAddition({}).empty());
  CHECK(IndexColumnNames({"a", "expr", "expr", "a"}) ==
        std::vector<std::string>{"a", "expr", "expr1", "a1"});
}

TEST_CASE("FigureIndexColname names expression elements", "[sema][naming]") {
  CHECK(FigureIndexColname("lower(name)") == "lower");
  CHECK(FigureIndexColname("(lower(name))") == "lower");
  CHECK(FigureIndexColname("public.f(a, b)") == "f");
  CHECK(FigureIndexColname("(a + b)") == "expr");
  CHECK(FigureIndexColname("a") == "a");
  CHECK(FigureIndexColname("(a)") == "a");
  CHECK(FigureIndexColname("(data->>'k')") == "expr");
  CHECK(FigureIndexColname("(a::text)") == "a");
  CHECK(FigureIndexColname("((a + 1)::integer)") == "int4");
  CHECK(FigureIndexColname("coalesce(a, b)") == "coalesce");
  CHECK(FigureIndexColname("\"Upper\"(x)") == "Upper");
  CHECK(FigureIndexColname("tags[1]") == "tags");
  CHECK(FigureIndexColname("(addr).city") == "city");
  CHECK(FigureIndexColname("date_trunc('day', at) collate \"C\"") == "date_trunc");
}

// ---- types ----

std::string Canonical(std::string_view name, std::vector<std::string> mods = {}, int dims = 0) {
  std::optional<BuiltinType> b = CanonicalBuiltinType(name, mods, dims);
  if (!b) return "<not builtin>";
  if (!b->error.empty()) return "<error: " + b->error + ">";
  return b->type.ToSql();
}

TEST_CASE("built-in types canonicalize like format_type", "[sema][types]") {
  CHECK(Canonical("int") == "integer");
  CHECK(Canonical("int4") == "integer");
  CHECK(Canonical("int2") == "smallint");
  CHECK(Canonical("int8") == "bigint");
  CHECK(Canonical("float8") == "double precision");
  CHECK(Canonical("float4") == "real");
  CHECK(Canonical("float", {"24"}) == "real");
  CHECK(Canonical("float", {"25"}) == "double precision");
  CHECK(Canonical("float") == "double precision");
  CHECK(Canonical("bool") == "boolean");
  CHECK(Canonical("varchar", {"20"}) == "character varying(20)");
  CHECK(Canonical("character varying") == "character varying");
  CHECK(Canonical("character") == "character(1)");
  // The parser spells CHAR as "character"; "char" is the quoted one-byte type.
  CHECK(Canonical("char") == "\"char\"");
  CHECK(Canonical("character", {"3"}) == "character(3)");
  CHECK(Canonical("bpchar") == "bpchar");
  CHECK(Canonical("decimal", {"12", "2"}) == "numeric(12,2)");
  CHECK(Canonical("numeric", {"10"}) == "numeric(10,0)");
  CHECK(Canonical("numeric") == "numeric");
  CHECK(Canonical("timestamptz") == "timestamp with time zone");
  CHECK(Canonical("timestamptz", {"3"}) == "timestamp(3) with time zone");
  CHECK(Canonical("timestamp") == "timestamp without time zone");
  CHECK(Canonical("timetz") == "time with time zone");
  CHECK(Canonical("time") == "time without time zone");
  CHECK(Canonical("varbit") == "bit varying");
  CHECK(Canonical("bit") == "bit(1)");
  CHECK(Canonical("text", {}, 2) == "text[][]");
  CHECK(Canonical("jsonb") == "jsonb");
  CHECK(Canonical("interval day to second", {"3"}) == "interval day to second(3)");
  CHECK(Canonical("int4range") == "int4range");
  CHECK(Canonical("citext") == "<not builtin>");

  std::optional<BuiltinType> serial = CanonicalBuiltinType("bigserial", {}, 0);
  REQUIRE(serial);
  CHECK(serial->type.name == "bigint");
  CHECK(serial->serial == "bigserial");
  CHECK(CanonicalBuiltinType("serial4", {}, 0)->serial == "serial");
}

TEST_CASE("invalid modifiers of built-in types are errors", "[sema][types]") {
  CHECK(Canonical("integer", {"5"}) == "<error: type 'integer' does not take modifiers>");
  CHECK(Canonical("varchar", {"0"}) == "<error: length for type 'varchar' must be at least 1>");
  CHECK(Canonical("numeric", {"1001"}) ==
        "<error: numeric precision 1001 must be between 1 and 1000>");
  CHECK(Canonical("float", {"54"}) ==
        "<error: precision for type 'float' must be between 1 and 53 bits, not 54>");
  CHECK(Canonical("varchar", {"x"}) ==
        "<error: type modifier 'x' of type 'varchar' must be an integer>");
}

TEST_CASE("extension types are known by extension", "[sema][types]") {
  CHECK(std::string(ExtensionOfType("citext")) == "citext");
  CHECK(std::string(ExtensionOfType("geography")) == "postgis");
  CHECK(std::string(ExtensionOfType("halfvec")) == "vector");
  CHECK(std::string(ExtensionOfType("issn")) == "isn");
  CHECK(ExtensionOfType("text") == nullptr);
  CHECK(IsKnownExtension("pgcrypto"));
  CHECK_FALSE(IsKnownExtension("timescaledb"));
}

// ---- whole-schema checks on hand-built ASTs ----

ast::Name N(const std::string& text) { return ast::Name{text, base::Loc{0, 0, 1}}; }

ast::QualName Q(const std::string& name, std::optional<std::string> schema = std::nullopt) {
  ast::QualName q;
  q.name = N(name);
  if (schema) q.schema = N(*schema);
  q.loc = base::Loc{0, 0, 1};
  return q;
}

ast::TypeRef T(const std::string& name, std::vector<std::string> mods = {}) {
  ast::TypeRef t;
  t.name = name;
  t.modifiers = std::move(mods);
  t.loc = base::Loc{0, 0, 1};
  return t;
}

ast::Column Col(const std::string& name, ast::TypeRef type) {
  ast::Column c;
  c.name = N(name);
  c.type = std::move(type);
  c.loc = base::Loc{0, 0, 1};
  return c;
}

ast::Table Table(const std::string& name, std::vector<ast::Column> columns) {
  ast::Table t;
  t.name = Q(name);
  t.columns = std::move(columns);
  t.loc = base::Loc{0, 0, 1};
  return t;
}

ast::SqlText Sql(const std::string& text) { return ast::SqlText{text, base::Loc{0, 0, 1}}; }

ast::TableConstraint Constraint(ast::ConstraintKind kind, std::vector<std::string> columns) {
  ast::TableConstraint c;
  c.kind = kind;
  for (const std::string& col : columns) c.columns.push_back(N(col));
  c.loc = base::Loc{0, 0, 1};
  return c;
}

ast::References Ref(const std::string& table, std::vector<std::string> columns = {}) {
  ast::References r;
  r.table = Q(table);
  for (const std::string& c : columns) r.columns.push_back(N(c));
  r.loc = base::Loc{0, 0, 1};
  return r;
}

struct Run {
  base::SourceManager sources;
  base::Diagnostics diags{sources};
  std::optional<model::Catalog> catalog;

  // "code: message" of every diagnostic.
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const base::Diagnostic& d : diags.all()) {
      out.push_back(std::string(base::DiagCode(d.kind)) + ": " + d.message);
    }
    return out;
  }
  const model::Table& TableNamed(const std::string& name) const {
    for (const model::Table& t : catalog->tables) {
      if (t.name.name == name) return t;
    }
    FAIL("no table " << name);
    return catalog->tables.front();
  }
};

std::unique_ptr<Run> Analyze(std::vector<ast::Decl> decls) {
  auto run = std::make_unique<Run>();
  run->sources.Add("test.schema", std::string(16, ' '));
  std::vector<ast::File> files(1);
  files[0].decls = std::move(decls);
  run->catalog = sema::Analyze(files, run->sources, run->diags);
  return run;
}

ast::Table Customers(const std::string& id_type = "bigint") {
  ast::Table t = Table("customers", {Col("id", T(id_type)), Col("email", T("text"))});
  t.columns[0].primary_key = true;
  return t;
}

TEST_CASE("foreign key column types must be comparable with the referenced key", "[sema][fk]") {
  ast::Table orders = Table("orders", {Col("id", T("integer")), Col("customer_id", T("text"))});
  orders.columns[1].references.emplace_back(std::nullopt, Ref("customers", {"id"}));
  auto run = Analyze({Customers(), orders});
  CHECK(run->Messages() == std::vector<std::string>{
                               "fk-type-mismatch: foreign key column 'customer_id' is text but "
                               "'customers.id' is bigint"});
  CHECK_FALSE(run->catalog);
}

// PostgreSQL accepts a foreign key when the key's btree operator family has a cross-type equality
// operator for the two types, or the referencing type casts implicitly to the key's.
TEST_CASE("foreign keys accept the type pairs PostgreSQL accepts", "[sema][fk]") {
  struct Pair {
    const char* fk;
    const char* pk;
    bool ok;
  };
  const Pair pairs[] = {
      {"integer", "bigint", true},      {"bigint", "integer", true},
      {"smallint", "bigint", true},     {"text", "varchar(255)", true},
      {"varchar(10)", "text", true},    {"character(3)", "text", true},
      {"integer", "numeric", true},     {"integer", "double precision", true},
      {"numeric", "real", true},        {"real", "double precision", true},
      {"date", "timestamptz", true},    {"cidr", "inet", true},
      {"numeric", "integer", false},    {"text", "integer", false},
      {"double precision", "numeric", false}, {"uuid", "text", false},
      {"integer[]", "bigint[]", false}, {"timestamp", "time", false},
  };
  // "varchar(255)" -> varchar with modifier 255, "integer[]" -> an array of integer.
  auto type = [](std::string text) {
    int dims = 0;
    while (text.ends_with("[]")) {
      text.resize(text.size() - 2);
      ++dims;
    }
    std::vector<std::string> mods;
    if (auto open = text.find('('); open != std::string::npos) {
      mods.push_back(text.substr(open + 1, text.size() - open - 2));
      text.resize(open);
    }
    ast::TypeRef t = T(text, mods);
    t.array_dims = dims;
    return t;
  };
  for (const Pair& p : pairs) {
    CAPTURE(p.fk, p.pk);
    ast::Table orders = Table("orders", {Col("customer_id", type(p.fk))});
    orders.columns[0].references.emplace_back(std::nullopt, Ref("customers", {"id"}));
    ast::Table customers = Customers();
    customers.columns[0].type = type(p.pk);
    auto run = Analyze({customers, orders});
    CHECK(run->Messages().empty() == p.ok);
  }
}

TEST_CASE("foreign keys through domains and serials compare base types", "[sema][fk]") {
  ast::Domain id_domain;
  id_domain.name = Q("customer_id");
  id_domain.base_type = T("int8");
  ast::Table orders = Table("orders", {Col("customer_id", T("customer_id"))});
  orders.columns[0].references.emplace_back(std::nullopt, Ref("customers"));
  auto run = Analyze({Customers("bigserial"), orders, id_domain});
  REQUIRE(run->Messages().empty());
  const model::Table& t = run->TableNamed("orders");
  REQUIRE(t.constraints.size() == 1);
  const model::Constraint& fk = t.constraints[0];
  CHECK(fk.name == "orders_customer_id_fkey");
  CHECK(fk.ref_table == model::QualifiedName{"public", "customers"});
  CHECK(fk.ref_columns == std::vector<std::string>{"id"});
  // Foreign key targets are not dependencies; the domain is.
  CHECK(t.deps == std::vector<model::ObjectId>{
                      {model::ObjectKind::Domain, {"public", "customer_id"}}});
  const model::Table& c = run->TableNamed("customers");
  CHECK(c.columns[0].serial == "bigserial");
  CHECK(c.columns[0].type.ToSql() == "bigint");
  CHECK(c.columns[0].not_null);
}

TEST_CASE("foreign keys must reference a key", "[sema][fk]") {
  ast::Table plain = Table("plain", {Col("a", T("integer")), Col("b", T("integer"))});
  ast::Table orders = Table("orders", {Col("x", T("integer")), Col("y", T("integer"))});
  ast::TableConstraint fk = Constraint(ast::ConstraintKind::ForeignKey, {"x"});
  fk.references = Ref("plain");
  orders.constraints.push_back(fk);
  ast::TableConstraint fk2 = Constraint(ast::ConstraintKind::ForeignKey, {"x", "y"});
  fk2.references = Ref("customers", {"email"});
  orders.constraints.push_back(fk2);
  ast::TableConstraint fk3 = Constraint(ast::ConstraintKind::ForeignKey, {"y"});
  fk3.references = Ref("customers", {"email"});
  orders.constraints.push_back(fk3);
  ast::TableConstraint fk4 = Constraint(ast::ConstraintKind::ForeignKey, {"y"});
  fk4.references = Ref("missing");
  orders.constraints.push_back(fk4);
  auto run = Analyze({Customers(), plain, orders});
  CHECK(run->Messages() ==
        std::vector<std::string>{
            "fk-target-not-unique: table 'plain' has no primary key; name the referenced columns",
            "fk-target-not-unique: referenced columns (email) of table 'customers' are not a "
            "primary key or unique constraint",
            "fk-target-not-unique: referenced columns (email) of table 'customers' are not a "
            "primary key or unique constraint",
            "unknown-table: unknown table 'missing'"});
}

TEST_CASE("foreign keys may reference unique constraints and plain unique indexes", "[sema][fk]") {
  ast::Table target = Table("target", {Col("a", T("integer")), Col("b", T("text"))});
  target.constraints.push_back(Constraint(ast::ConstraintKind::Unique, {"b", "a"}));
  ast::Index index;
  index.unique = true;
  ast::IndexElem elem;
  elem.expr = Sql("b");
  elem.is_column = true;
  index.elements.push_back(elem);
  target.indexes.push_back(index);
  ast::Table source = Table("source", {Col("a", T("int4")), Col("b", T("text"))});
  ast::TableConstraint fk = Constraint(ast::ConstraintKind::ForeignKey, {"a", "b"});
  fk.references = Ref("target", {"a", "b"});
  source.constraints.push_back(fk);
  ast::TableConstraint fk2 = Constraint(ast::ConstraintKind::ForeignKey, {"b"});
  fk2.references = Ref("target", {"b"});
  source.constraints.push_back(fk2);
  ast::TableConstraint fk3 = Constraint(ast::ConstraintKind::ForeignKey, {"a"});
  fk3.references = Ref("target", {"a", "b"});
  source.constraints.push_back(fk3);
  auto run = Analyze({target, source});
  CHECK(run->Messages() ==
        std::vector<std::string>{"fk-column-count: foreign key has 1 column but references 2"});
}

TEST_CASE("implicit names are numbered around explicit ones", "[sema][naming]") {
  ast::Table t = Table("t", {Col("a", T("integer")), Col("b", T("integer"))});
  t.columns[0].unique = true;
  // An explicit constraint already called t_a_key pushes the derived name to t_a_key1.
  ast::TableConstraint named = Constraint(ast::ConstraintKind::Check, {});
  named.name = N("t_a_key");
  named.check = Sql("b > 0");
  t.constraints.push_back(named);
  t.constraints.push_back(Constraint(ast::ConstraintKind::Unique, {"a", "b"}));
  ast::TableConstraint check = Constraint(ast::ConstraintKind::Check, {});
  check.check = Sql("a > 0");
  t.constraints.push_back(check);
  ast::TableConstraint check2 = Constraint(ast::ConstraintKind::Check, {});
  check2.check = Sql("a < b");
  t.constraints.push_back(check2);
  ast::Index index;
  ast::IndexElem lower;
  lower.expr = Sql("(lower(b::text))");
  index.elements.push_back(lower);
  t.indexes.push_back(index);
  t.columns[1].primary_key = true;
  auto run = Analyze({t});
  REQUIRE(run->Messages().empty());
  std::vector<std::string> names;
  for (const model::Constraint& c : run->TableNamed("t").constraints) names.push_back(c.name);
  CHECK(names == std::vector<std::string>{"t_a_b_key", "t_a_check", "t_a_key", "t_a_key1",
                                          "t_check", "t_pkey"});
  REQUIRE(run->catalog->indexes.size() == 1);
  CHECK(run->catalog->indexes[0].name.name == "t_lower_idx");
}

TEST_CASE("implicit check names follow source order across columns and constraints",
          "[sema][naming]") {
  // table il { a int check (a > 0)   check (a > 1)   b int check (a > 2) }: PostgreSQL names
  // them il_a_check, il_a_check1, il_a_check2 in the order the elements are written.
  ast::Table t = Table("il", {Col("a", T("integer")), Col("b", T("integer"))});
  ast::CheckClause first;
  first.expr = Sql("a > 0");
  first.loc = base::Loc{0, 10, 11};
  t.columns[0].checks.push_back(first);
  ast::CheckClause third;
  third.expr = Sql("a > 2");
  third.loc = base::Loc{0, 30, 31};
  t.columns[1].checks.push_back(third);
  ast::TableConstraint second = Constraint(ast::ConstraintKind::Check, {});
  second.check = Sql("a > 1");
  second.loc = base::Loc{0, 20, 21};
  t.constraints.push_back(second);
  auto run = Analyze({t});
  REQUIRE(run->Messages().empty());
  std::map<std::string, std::string> by_expression;
  for (const model::Constraint& c : run->TableNamed("il").constraints) {
    by_expression[c.expression->text] = c.name;
  }
  CHECK(by_expression == std::map<std::string, std::string>{
                             {"a > 0", "il_a_check"}, {"a > 1", "il_a_check1"}, {"a > 2", "il_a_check2"}});
}

TEST_CASE("a unique constraint repeating the primary key is merged into it", "[sema][naming]") {
  ast::Table t = Table("t", {Col("id", T("integer"))});
  t.columns[0].primary_key = true;
  ast::TableConstraint u = Constraint(ast::ConstraintKind::Unique, {"id"});
  u.name = N("t_id_unique");
  t.constraints.push_back(u);
  auto run = Analyze({t});
  REQUIRE(run->Messages().empty());
  const model::Table& table = run->TableNamed("t");
  REQUIRE(table.constraints.size() == 1);
  CHECK(table.constraints[0].kind == model::ConstraintKind::PrimaryKey);
  CHECK(table.constraints[0].name == "t_id_unique");
}

TEST_CASE("identity and serial sequences count as declared", "[sema][naming]") {
  ast::Table t = Table("t", {Col("id", T("integer")), Col("n", T("bigint"))});
  t.columns[0].identity = ast::Identity{};
  t.columns[1].default_expr = Sql("nextval('t_id_seq')");
  ast::Table u = Table("u", {Col("n", T("bigint"))});
  u.columns[0].default_expr = Sql("nextval('nope_seq')");
  auto run = Analyze({t, u});
  CHECK(run->Messages() ==
        std::vector<std::string>{"unknown-sequence: unknown sequence 'nope_seq'"});
}

TEST_CASE("types resolve to canonical and extension types", "[sema][types]") {
  ast::Extension citext;
  citext.name = N("citext");
  ast::Table t = Table("t", {Col("a", T("int4")), Col("b", T("citext")), Col("c", T("hstore")),
                             Col("d", T("varchar", {"20"}))});
  auto run = Analyze({citext, t});
  REQUIRE(run->diags.all().size() == 1);
  const base::Diagnostic& d = run->diags.all()[0];
  CHECK(d.message == "unknown type 'hstore'");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "type 'hstore' comes from extension 'hstore'; add `extension hstore`");

  t.columns.pop_back();
  t.columns.pop_back();
  t.columns.push_back(Col("d", T("varchar", {"20"})));
  auto ok = Analyze({citext, t});
  REQUIRE(ok->Messages().empty());
  const model::Table& table = ok->TableNamed("t");
  CHECK(table.columns[0].type.ToSql() == "integer");
  CHECK(table.columns[1].type.schema == "public");
  CHECK(table.columns[1].type.name == "citext");
  CHECK(table.columns[2].type.ToSql() == "character varying(20)");
  CHECK(table.deps == std::vector<model::ObjectId>{{model::ObjectKind::Extension, {"", "citext"}}});
}

TEST_CASE("sequence parameters get PostgreSQL's defaults", "[sema][sequences]") {
  ast::Sequence up;
  up.name = Q("up");
  ast::Sequence down;
  down.name = Q("down");
  down.options.increment = "-1";
  down.options.as_type = T("smallint");
  auto run = Analyze({up, down});
  REQUIRE(run->Messages().empty());
  REQUIRE(run->catalog->sequences.size() == 2);
  const model::SequenceParams& d = run->catalog->sequences[0].params;  // sorted: down, up
  CHECK(d.type.ToSql() == "smallint");
  CHECK(d.min_value == -32768);
  CHECK(d.max_value == -1);
  CHECK(d.start == -1);
  const model::SequenceParams& u = run->catalog->sequences[1].params;
  CHECK(u.type.ToSql() == "bigint");
  CHECK(u.min_value == 1);
  CHECK(u.max_value == INT64_MAX);
  CHECK(u.start == 1);
}

TEST_CASE("embedded SQL adds declared objects to deps", "[sema][deps]") {
  ast::Table orders = Table("orders", {Col("id", T("bigint")), Col("total", T("integer"))});
  orders.columns[0].primary_key = true;
  ast::Function f;
  f.name = Q("cents");
  ast::FunctionArg arg;
  arg.type = T("integer");
  f.args.push_back(arg);
  f.returns = T("numeric");
  f.language = "sql";
  f.body = Sql("select $1 / 100.0");
  ast::Function total;
  total.name = Q("order_total");
  total.returns = T("bigint");
  total.language = "sql";
  total.body = Sql("select sum(total) from orders");
  ast::View v;
  v.name = Q("big_orders");
  v.query = Sql("select id, cents(total) from orders where total > 100");
  ast::Index index;
  index.table = Q("orders");
  ast::IndexElem elem;
  elem.expr = Sql("(cents(total))");
  index.elements.push_back(elem);
  auto run = Analyze({orders, f, total, v, index});
  REQUIRE(run->Messages().empty());
  using model::ObjectKind;
  const model::ObjectId cents{ObjectKind::Function, {"public", "cents(integer)"}};
  const model::ObjectId orders_id{ObjectKind::Table, {"public", "orders"}};
  REQUIRE(run->catalog->views.size() == 1);
  // Sorted: by kind (tables before functions), then name.
  CHECK(run->catalog->views[0].deps == std::vector<model::ObjectId>{orders_id, cents});
  REQUIRE(run->catalog->functions.size() == 2);
  CHECK(run->catalog->functions[0].name.name == "cents");
  CHECK(run->catalog->functions[1].deps == std::vector<model::ObjectId>{orders_id});
  REQUIRE(run->catalog->indexes.size() == 1);
  CHECK(run->catalog->indexes[0].name.name == "orders_cents_idx");
  CHECK(run->catalog->indexes[0].deps == std::vector<model::ObjectId>{cents});
}

TEST_CASE("a policy without row level security is a warning, not an error", "[sema][policy]") {
  ast::Table orders = Table("orders", {Col("id", T("bigint"))});
  ast::Policy p;
  p.name = N("mine");
  p.table = Q("orders");
  p.roles.push_back(N("app_user"));
  p.using_expr = Sql("id > 0");
  auto run = Analyze({orders, p});
  REQUIRE(run->diags.all().size() == 1);
  CHECK(run->diags.all()[0].severity == base::Severity::Warning);
  CHECK(run->diags.all()[0].message ==
        "policy 'mine' has no effect: row level security is not enabled on 'orders'");
  REQUIRE(run->catalog);
  CHECK(run->catalog->roles == std::vector<std::string>{"app_user"});
  CHECK(run->catalog->policies[0].roles == std::vector<std::string>{"app_user"});
}

TEST_CASE("grants expand per privilege, grantee and column", "[sema][grants]") {
  ast::Table orders = Table("orders", {Col("id", T("bigint")), Col("note", T("text"))});
  ast::Sequence seq;
  seq.name = Q("order_no");
  ast::Grant all;
  all.privileges = {"all"};
  all.object.name = Q("order_no");
  all.grantees = {N("app"), N("public")};
  ast::Grant cols;
  cols.privileges = {"select", "update"};
  cols.columns = {N("note")};
  cols.object.name = Q("orders");
  cols.grantees = {N("app")};
  auto run = Analyze({orders, seq, all, cols});
  REQUIRE(run->Messages().empty());
  std::vector<std::string> rows;
  for (const model::Grant& g : run->catalog->grants) {
    rows.push_back(g.object.name + (g.column ? "." + *g.column : "") + " " + g.privilege + " " +
                   g.grantee);
  }
  CHECK(rows == std::vector<std::string>{
                    "order_no SELECT app", "order_no UPDATE app", "order_no USAGE app",
                    "order_no SELECT public", "order_no UPDATE public", "order_no USAGE public",
                    "orders.note SELECT app", "orders.note UPDATE app"});
  CHECK(run->catalog->roles == std::vector<std::string>{"app"});
}

}  // namespace
}  // namespace schemac::sema
