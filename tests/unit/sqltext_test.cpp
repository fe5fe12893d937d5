#include "compiler/sqltext/sqltext.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace schemac::sqltext {
namespace {

using Kind = Ref::Kind;
using Names = std::vector<std::string>;

// The refs of one kind, as name lists, in text order.
std::vector<Names> NamesOf(const Result& result, Kind kind) {
  std::vector<Names> names;
  for (const Ref& ref : result.refs) {
    if (ref.kind == kind) names.push_back(ref.names);
  }
  return names;
}

const Ref* FindRef(const Result& result, Kind kind, const Names& names) {
  for (const Ref& ref : result.refs) {
    if (ref.kind == kind && ref.names == names) return &ref;
  }
  return nullptr;
}

TEST_CASE("valid expressions are accepted", "[sqltext]") {
  for (const char* text :
       {"now()", "0", "-1", "12.50", "'pending'", "'it''s'", "true", "NULL", "total_cents >= 0",
        "lower(name)", "nextval('invoice_no')", "(1 + 2) * 3",
        "status = 'pending' or placed_at is not null", "x is distinct from y", "current_timestamp",
        "case when a then 1 else 2 end", "value ~ '^[^@]+@[^@]+$'", "  42  ",
        "/* c */ 1 -- trailing comment"}) {
    INFO(text);
    Result result = Analyze(text, Context::Expression);
    CHECK(result.ok);
    CHECK(result.error.empty());
  }
}

TEST_CASE("literal fast path finds no references", "[sqltext]") {
  for (const char* text : {"0", "'pending'", "false", "3.14"}) {
    INFO(text);
    Result result = Analyze(text, Context::Expression);
    CHECK(result.ok);
    CHECK(result.refs.empty());
  }
  // Near-literals must still reach the parser and fail there.
  for (const char* text : {"-", ".", "1.2.3", "'open", "'a''", "'a' 'b'", "true false", "1 2"}) {
    INFO(text);
    CHECK_FALSE(Analyze(text, Context::Expression).ok);
  }
}

TEST_CASE("syntax errors report PostgreSQL's message and a byte offset", "[sqltext]") {
  Result incomplete = Analyze("total_cents >=", Context::Expression);
  CHECK_FALSE(incomplete.ok);
  CHECK(incomplete.error == "syntax error at end of input");
  CHECK(incomplete.error_offset == 14);

  Result unclosed = Analyze("lower(name", Context::Expression);
  CHECK_FALSE(unclosed.ok);
  CHECK(unclosed.error == "syntax error at end of input");
  CHECK(unclosed.error_offset == 10);

  Result middle = Analyze("a + ) b", Context::Expression);
  CHECK_FALSE(middle.ok);
  CHECK(middle.error == "syntax error at or near \")\"");
  CHECK(middle.error_offset == 4);

  Result query = Analyze("select 1 from", Context::Query);
  CHECK_FALSE(query.ok);
  CHECK(query.error_offset == 13);
}

TEST_CASE("error offsets count bytes, not characters, after non-ASCII text", "[sqltext]") {
  // '日本' is 4 characters but 8 bytes: the `)` is at byte 9.
  Result result = Analyze("'日本' )", Context::Expression);
  CHECK_FALSE(result.ok);
  CHECK(result.error == "syntax error at or near \")\"");
  CHECK(result.error_offset == 9);

  Result body = Analyze("select 'é'; selec 1", Context::SqlBody);
  CHECK_FALSE(body.ok);
  CHECK(body.error_offset == 13);
}

TEST_CASE("refs carry byte offsets after non-ASCII text", "[sqltext]") {
  Result result = Analyze("'ü' || name", Context::Expression);
  REQUIRE(result.ok);
  const Ref* column = FindRef(result, Kind::Column, {"name"});
  REQUIRE(column != nullptr);
  CHECK(column->offset == 8);
}

TEST_CASE("an expression must be exactly one expression", "[sqltext]") {
  struct Case {
    const char* text;
    uint32_t offset;
  };
  for (Case c :
       {Case{"1; select 2", 1}, Case{"1;", 1}, Case{"a, b", 1}, Case{"1 from t", 2},
        Case{"x as y", 2}, Case{"x y", 2}, Case{"a where b", 2}, Case{"1 union select 2", 2},
        Case{"x order by 1", 2}, Case{"f(a, b) limit 1", 8},
        Case{"a is distinct from b from t", 21}, Case{"distinct x", 0}, Case{"all x", 0},
        Case{"*", 0}, Case{"t.*", 0}, Case{"", 0}, Case{"  ", 2}, Case{"x for update", 2}}) {
    INFO(c.text);
    Result result = Analyze(c.text, Context::Expression);
    CHECK_FALSE(result.ok);
    CHECK(result.error == "expected a single expression");
    CHECK(result.error_offset == c.offset);
  }
}

TEST_CASE("queries are SELECT, VALUES, WITH or TABLE", "[sqltext]") {
  for (const char* text : {"select 1", "values (1), (2)", "table orders", "select 1;",
                           "select a from t union all select b from u"}) {
    INFO(text);
    CHECK(Analyze(text, Context::Query).ok);
  }

  Result insert = Analyze("insert into t values (1)", Context::Query);
  CHECK_FALSE(insert.ok);
  CHECK(insert.error == "expected a query");
  CHECK(insert.error_offset == 0);

  Result two = Analyze("select 1; select 2", Context::Query);
  CHECK_FALSE(two.ok);
  CHECK(two.error == "expected a query");
  CHECK(two.error_offset == 10);

  Result into = Analyze("select 1 into t", Context::Query);
  CHECK_FALSE(into.ok);
  CHECK(into.error_offset == 14);

  Result writes = Analyze("with x as (delete from t returning *) select * from x", Context::Query);
  CHECK_FALSE(writes.ok);
  CHECK(writes.error == "expected a query");
}

TEST_CASE("CTE names are not relation references", "[sqltext]") {
  Result result = Analyze("with x as (select 1 from orders) select * from x", Context::Query);
  REQUIRE(result.ok);
  CHECK(NamesOf(result, Kind::Relation) == std::vector<Names>{{"orders"}});

  // A schema-qualified name is never a CTE.
  Result qualified = Analyze("with x as (select 1) select * from public.x", Context::Query);
  REQUIRE(qualified.ok);
  CHECK(NamesOf(qualified, Kind::Relation) == std::vector<Names>{{"public", "x"}});
}

TEST_CASE("relation, column and function refs in a view body", "[sqltext]") {
  Result result = Analyze(
      "select o.id, c.email from orders o join billing.\"Customers\" c on c.id = o.customer_id "
      "where o.status in ('pending', 'paid') and lower(c.email) <> ''",
      Context::Query);
  REQUIRE(result.ok);
  CHECK(NamesOf(result, Kind::Relation) ==
        std::vector<Names>{{"orders"}, {"billing", "Customers"}});
  CHECK(NamesOf(result, Kind::Column) == std::vector<Names>{{"o", "id"},
                                                            {"c", "email"},
                                                            {"c", "id"},
                                                            {"o", "customer_id"},
                                                            {"o", "status"},
                                                            {"c", "email"}});
  CHECK(NamesOf(result, Kind::Function) == std::vector<Names>{{"lower"}});
  const Ref* customers = FindRef(result, Kind::Relation, {"billing", "Customers"});
  REQUIRE(customers != nullptr);
  CHECK(customers->offset == 40);
  for (size_t i = 1; i < result.refs.size(); ++i)
    CHECK(result.refs[i - 1].offset <= result.refs[i].offset);
}

TEST_CASE("expression refs: columns, functions and types with offsets", "[sqltext]") {
  Result result = Analyze("Upper(\"Name\")::order_status = x.y::int", Context::Expression);
  REQUIRE(result.ok);
  REQUIRE(result.refs.size() == 5);
  CHECK(result.refs[0].kind == Kind::Function);
  CHECK(result.refs[0].names == Names{"upper"});
  CHECK(result.refs[0].offset == 0);
  CHECK(result.refs[1].kind == Kind::Column);
  CHECK(result.refs[1].names == Names{"Name"});
  CHECK(result.refs[1].offset == 6);
  CHECK(result.refs[2].kind == Kind::Type);
  CHECK(result.refs[2].names == Names{"order_status"});
  CHECK(result.refs[2].offset == 15);
  CHECK(result.refs[3].names == Names{"x", "y"});
  CHECK(result.refs[4].kind == Kind::Type);
  CHECK(result.refs[4].names == Names{"pg_catalog", "int4"});
  CHECK(result.refs[4].offset == 35);

  Result star = Analyze("count(*)", Context::Expression);
  REQUIRE(star.ok);
  CHECK(NamesOf(star, Kind::Column).empty());
  CHECK(NamesOf(star, Kind::Function) == std::vector<Names>{{"count"}});
}

TEST_CASE("sequence refs from nextval/currval/setval string arguments", "[sqltext]") {
  Result plain = Analyze("nextval('invoice_no')", Context::Expression);
  REQUIRE(plain.ok);
  CHECK(NamesOf(plain, Kind::Sequence) == std::vector<Names>{{"invoice_no"}});
  CHECK(NamesOf(plain, Kind::Function) == std::vector<Names>{{"nextval"}});
  const Ref* sequence = FindRef(plain, Kind::Sequence, {"invoice_no"});
  REQUIRE(sequence != nullptr);
  CHECK(sequence->offset == 8);

  Result qualified = Analyze("nextval('Billing.Invoice_No')", Context::Expression);
  REQUIRE(qualified.ok);
  CHECK(NamesOf(qualified, Kind::Sequence) == std::vector<Names>{{"billing", "invoice_no"}});

  Result quoted = Analyze("nextval('\"Foo\".bar'::regclass)", Context::Expression);
  REQUIRE(quoted.ok);
  CHECK(NamesOf(quoted, Kind::Sequence) == std::vector<Names>{{"Foo", "bar"}});
  CHECK(NamesOf(quoted, Kind::Type) == std::vector<Names>{{"regclass"}});

  Result escaped = Analyze("pg_catalog.setval(' \"a\"\"b\" . C ', 5)", Context::Expression);
  REQUIRE(escaped.ok);
  CHECK(NamesOf(escaped, Kind::Sequence) == std::vector<Names>{{"a\"b", "c"}});

  // Like any identifier, a part longer than 63 bytes is truncated.
  Result longer = Analyze("nextval('" + std::string(70, 'S') + "')", Context::Expression);
  REQUIRE(longer.ok);
  CHECK(NamesOf(longer, Kind::Sequence) == std::vector<Names>{{std::string(63, 's')}});

  Result oid = Analyze("currval('12345')", Context::Expression);
  REQUIRE(oid.ok);
  CHECK(NamesOf(oid, Kind::Sequence).empty());

  Result other = Analyze("my_nextval('x')", Context::Expression);
  REQUIRE(other.ok);
  CHECK(NamesOf(other, Kind::Sequence).empty());
}

TEST_CASE("malformed sequence names are errors at the string", "[sqltext]") {
  Result result = Analyze("1 + nextval('a..b')", Context::Expression);
  CHECK_FALSE(result.ok);
  CHECK(result.error == "invalid name syntax");
  CHECK(result.error_offset == 12);

  Result dotted = Analyze("nextval('a.b.c.d')", Context::Expression);
  CHECK_FALSE(dotted.ok);
  CHECK(dotted.error.find("too many dotted names") != std::string::npos);
}

TEST_CASE("SQL bodies accept several statements of any kind", "[sqltext]") {
  Result result =
      Analyze("insert into audit (at) values (now()); select count(*) from billing.invoices;",
              Context::SqlBody);
  REQUIRE(result.ok);
  CHECK(NamesOf(result, Kind::Relation) == std::vector<Names>{{"audit"}, {"billing", "invoices"}});
  CHECK(NamesOf(result, Kind::Function) == std::vector<Names>{{"now"}, {"count"}});

  CHECK(Analyze("", Context::SqlBody).ok);
  CHECK_FALSE(Analyze("selec 1", Context::SqlBody).ok);
}

TEST_CASE("SQL-standard function bodies: RETURN and BEGIN ATOMIC", "[sqltext]") {
  Result ret = Analyze("RETURN public.add(a, b) + n.x", Context::SqlBody);
  REQUIRE(ret.ok);
  CHECK(NamesOf(ret, Kind::Function) == std::vector<Names>{{"public", "add"}});
  const Ref* add = FindRef(ret, Kind::Function, {"public", "add"});
  REQUIRE(add != nullptr);
  CHECK(add->offset == 7);  // offsets are within the body, not the wrapping CREATE FUNCTION
  // Nothing of the wrapper (its name, its `void`) is reported.
  CHECK(NamesOf(ret, Kind::Type).empty());

  Result atomic = Analyze("  -- c\n begin atomic\n insert into audit default values;\n select 1;\nend",
                          Context::SqlBody);
  REQUIRE(atomic.ok);
  CHECK(NamesOf(atomic, Kind::Relation) == std::vector<Names>{{"audit"}});

  CHECK(Analyze("return (a + b)", Context::SqlBody).ok);
  Result bad = Analyze("RETURN a +", Context::SqlBody);
  CHECK_FALSE(bad.ok);
  CHECK(bad.error_offset <= 10);
  CHECK_FALSE(Analyze("RETURN 1; SELECT 2", Context::SqlBody).ok);
  // `returning` is not `return`: parsed as statements, as before.
  CHECK_FALSE(Analyze("returning 1", Context::SqlBody).ok);
}

TEST_CASE("pathologically deep trees are an error, not a stack overflow", "[sqltext]") {
  std::string wide = "a";
  for (int i = 0; i < 300; ++i) wide += " + a";
  CHECK(Analyze(wide, Context::Expression).ok);

  std::string deep = "a";
  for (int i = 0; i < 20000; ++i) deep += " + a";
  Result result = Analyze(deep, Context::Expression);
  CHECK_FALSE(result.ok);
  CHECK(result.error == "SQL text is nested too deeply");
}

TEST_CASE("embedded NUL bytes are rejected, not truncated", "[sqltext]") {
  Result result = Analyze(std::string_view("1\0 from t", 9), Context::Expression);
  CHECK_FALSE(result.ok);
  CHECK(result.error_offset == 1);
}

}  // namespace
}  // namespace schemac::sqltext
