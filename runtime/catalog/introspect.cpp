// The introspection driver: opens the snapshot, runs every embedded catalog query once, hands the
// rows to the readers (internal/reader.h) in dependency order.
#include <chrono>
#include <future>
#include <memory>
#include "runtime/catalog/introspect.h"

#include <fmt/format.h>

#include <stdexcept>

#include "runtime/catalog/internal/reader.h"
#include "runtime/catalog/queries.h"

namespace schemac::catalog {
namespace {

using internal::Rows;

// `NULL::text[]` for "every schema", else `ARRAY['a', 'b']::text[]`.
std::string SchemasLiteral(const std::vector<std::string>& schemas) {
  if (schemas.empty()) return "NULL::text[]";
  std::string out = "ARRAY[";
  for (size_t i = 0; i < schemas.size(); ++i) {
    if (i > 0) out += ", ";
    out += model::QuoteLiteral(schemas[i]);
  }
  return out + "]::text[]";
}

std::string ReplaceAll(std::string_view text, std::string_view from, const std::string& to) {
  std::string out;
  size_t start = 0;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, start)) {
    out.append(text.substr(start, at - start));
    out += to;
    start = at + from.size();
  }
  out.append(text.substr(start));
  return out;
}

// Column name -> position from the JSON object of one row (keys in column order; position 0 is
// the JSON itself).
internal::Columns ColumnsOf(std::string_view query, const std::string& json, size_t width) {
  internal::Columns columns;
  try {
    const nlohmann::ordered_json header = nlohmann::ordered_json::parse(json);
    size_t position = 1;
    for (const auto& item : header.items()) columns.emplace(item.key(), position++);
  } catch (const nlohmann::ordered_json::exception& e) {
    throw std::runtime_error(fmt::format("catalog query {}: {}", query, e.what()));
  }
  if (columns.size() + 1 != width) {
    throw std::runtime_error(
        fmt::format("catalog query {}: column names are not unique ({} names for {} columns)",
                    query, columns.size(), width - 1));
  }
  return columns;
}

class QueryRunner {
 public:
  QueryRunner(pg::Connection& conn, const IntrospectOptions& options)
      : conn_(conn),
        prelude_(ReplaceAll(queries::kPreludeSql, "{{schemas}}", SchemasLiteral(options.schemas))) {}

  void Exec(const std::string& sql) {
    ++count_;
    conn_.Exec(sql);
  }


  // Runs one catalog query after the prelude's CTEs. Values travel as text in the query's own
  // columns; the first row also carries row_to_json of itself in an extra leading column, whose
  // keys give the names of the columns in order (no JSON for every other row: at 10,000 columns
  // that would be a third of the time).
  Rows Run(std::string_view name, std::string_view query) {
    std::string sql = prelude_;
    sql += "SELECT CASE WHEN row_number() OVER () = 1 THEN row_to_json(q)::text END, q.* FROM (\n";
    sql += query;
    sql += "\n) q";
    ++count_;
    const auto start = std::chrono::steady_clock::now();
    std::vector<internal::Values> values = conn_.Query(sql);
    seconds_.emplace_back(std::string(name),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    internal::Columns columns;
    for (const internal::Values& row : values) {
      if (!row.empty() && row[0]) {
        columns = ColumnsOf(name, *row[0], row.size());
        break;
      }
    }
    if (!values.empty() && columns.empty()) {
      throw std::runtime_error(fmt::format("catalog query {}: no row names the columns", name));
    }
    return Rows(std::move(columns), std::move(values));
  }

  int count() const { return count_; }
  std::vector<std::pair<std::string, double>>& seconds() { return seconds_; }

 private:
  std::vector<std::pair<std::string, double>> seconds_;
  pg::Connection& conn_;
  std::string prelude_;
  int count_ = 0;
};

}  // namespace

Introspection Introspect(pg::Connection& conn, const IntrospectOptions& options) {
  QueryRunner q(conn, options);
  // One snapshot for every query. search_path = pg_catalog makes every name PostgreSQL prints
  // outside pg_catalog schema-qualified (pg_temp last: a temporary table cannot shadow a catalog);
  // standard_conforming_strings keeps the schema literals of the prelude literal; no JIT (compiling
  // these queries takes longer than running them: 0.8 s of 1 s at 1,000 tables). All of it ends
  // with the transaction, so the session is left as it was.
  internal::Reader r;
  // The queries of the second connection, when there is one (fetched there, read here in order).
  const std::vector<std::pair<const char*, std::string_view>> second_queries = {
      {"indexes", queries::kIndexesSql},   {"views", queries::kViewsSql},
      {"functions", queries::kFunctionsSql}, {"triggers", queries::kTriggersSql},
      {"policies", queries::kPoliciesSql},   {"grants", queries::kGrantsSql},
      {"unsupported", queries::kUnsupportedSql}};
  std::future<std::vector<Rows>> second;
  std::unique_ptr<pg::Connection> conn2;
  std::unique_ptr<QueryRunner> q2;
  auto join_second = [&]() {
    if (second.valid()) second.wait();
  };
  try {
    q.Exec(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
        " SET LOCAL search_path = pg_catalog, pg_temp;"
        " SET LOCAL standard_conforming_strings = on;"
        " SET LOCAL jit = off");
    if (!options.parallel_conninfo.empty()) {
      // A second connection is an optimization: when it cannot be had (a connection limit, a
      // pooler that cannot import snapshots), everything runs on the first.
      try {
        const std::string snapshot = conn.Query("SELECT pg_catalog.pg_export_snapshot()").at(0).at(0).value_or("");
        conn2 = std::make_unique<pg::Connection>(options.parallel_conninfo);
        q2 = std::make_unique<QueryRunner>(*conn2, options);
        q2->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                 " SET TRANSACTION SNAPSHOT " + model::QuoteLiteral(snapshot) + ";"
                 " SET LOCAL search_path = pg_catalog, pg_temp;"
                 " SET LOCAL standard_conforming_strings = on;"
                 " SET LOCAL jit = off");
      } catch (const pg::DbError&) {
        q2.reset();
        conn2.reset();
      }
    }
    if (q2) {
      second = std::async(std::launch::async, [&q2, &second_queries] {
        std::vector<Rows> out;
        for (const auto& [name, sql] : second_queries) out.push_back(q2->Run(name, sql));
        q2->Exec("COMMIT");
        return out;
      });
    }
    r.ReadSchemas(q.Run("schemas", queries::kSchemasSql));
    r.ReadCollations(q.Run("collations", queries::kCollationsSql));
    r.ReadTypes(q.Run("types", queries::kTypesSql));
    r.ReadSequences(q.Run("sequences", queries::kSequencesSql));
    r.ReadTables(q.Run("tables", queries::kTablesSql));
    r.ReadColumns(q.Run("columns", queries::kColumnsSql));
    if (second.valid()) {
      Rows constraints = q.Run("constraints", queries::kConstraintsSql);
      std::vector<Rows> rest = second.get();
      r.ReadIndexes(std::move(rest[0]));
      r.ReadConstraints(std::move(constraints));
      r.ReadViews(std::move(rest[1]));
      r.ReadFunctions(std::move(rest[2]));
      r.ReadTriggers(std::move(rest[3]));
      r.ReadPolicies(std::move(rest[4]));
      r.ReadGrants(std::move(rest[5]));
      r.ReadUnsupported(std::move(rest[6]));
    } else {
      r.ReadIndexes(q.Run("indexes", queries::kIndexesSql));
      r.ReadConstraints(q.Run("constraints", queries::kConstraintsSql));
      r.ReadViews(q.Run("views", queries::kViewsSql));
      r.ReadFunctions(q.Run("functions", queries::kFunctionsSql));
      r.ReadTriggers(q.Run("triggers", queries::kTriggersSql));
      r.ReadPolicies(q.Run("policies", queries::kPoliciesSql));
      r.ReadGrants(q.Run("grants", queries::kGrantsSql));
      r.ReadUnsupported(q.Run("unsupported", queries::kUnsupportedSql));
    }
    q.Exec("COMMIT");
  } catch (...) {
    join_second();
    try {
      conn.Exec("ROLLBACK");
    } catch (...) {
      // The connection is gone; the original error says why.
    }
    throw;
  }
  if (q2) {
    for (auto& entry : q2->seconds()) q.seconds().push_back(std::move(entry));
  }
  r.Finish();
  return Introspection{.catalog = std::move(r.catalog),
                       .unsupported = std::move(r.unsupported),
                       .table_stats = std::move(r.table_stats),
                       .query_count = q.count() + (q2 ? q2->count() : 0),
                       .query_seconds = std::move(q.seconds())};
}

}  // namespace schemac::catalog
