// runtime/catalog against a real PostgreSQL 15:
//  1. Round trip: every schema in schemas/ is compiled, its SQL (sqlgen::CreateAll) loaded into an
//     empty database, the database introspected, and the result compared with the compiled model on
//     every field that is not embedded SQL text (for those, only presence is compared: the texts are
//     the user's on one side and PostgreSQL's canonical form on the other).
//  2. Objects only SQL can create: serial columns, an aggregate and table inheritance (reported as
//     unsupported), an extension's objects (left out), foreign keys to and from partitioned tables,
//     partitions with the indexes, constraints and triggers PostgreSQL clones onto them (left out).
//  3. The number of queries does not depend on the number of tables.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/driver/compile.h"
#include "compiler/model/model.h"
#include "compiler/sqlgen/sqlgen.h"
#include "runtime/catalog/introspect.h"
#include "runtime/pg/connection.h"
#include "tests/support/examples.h"
#include "tests/support/pgtest.h"

namespace fs = std::filesystem;

namespace {

using schemac::catalog::Introspect;
using schemac::catalog::Introspection;
using schemac::catalog::Unsupported;
namespace model = schemac::model;
using model::QualifiedName;

// ---- showing values ------------------------------------------------------------------------------

std::string Show(const std::string& s) { return "'" + s + "'"; }
std::string Show(bool b) { return b ? "true" : "false"; }
std::string Show(const QualifiedName& n) {
  return n.schema.empty() ? n.name : n.schema + "." + n.name;
}
std::string Show(const model::TypeName& t) {
  std::string out = t.schema + "." + t.name + t.modifiers;
  for (int i = 0; i < t.array_dims; ++i) out += "[]";
  return out;
}
std::string Show(model::Deferral d) {
  switch (d) {
    case model::Deferral::NotDeferrable: return "not deferrable";
    case model::Deferral::InitiallyImmediate: return "deferrable initially immediate";
    case model::Deferral::InitiallyDeferred: return "deferrable initially deferred";
  }
  return "?";
}
std::string Show(model::FkAction a) { return model::FkActionName(a); }
std::string Show(model::IdentityKind k) {
  switch (k) {
    case model::IdentityKind::None: return "none";
    case model::IdentityKind::Always: return "always";
    case model::IdentityKind::ByDefault: return "by default";
  }
  return "?";
}
std::string Show(model::ConstraintKind k) {
  switch (k) {
    case model::ConstraintKind::PrimaryKey: return "primary key";
    case model::ConstraintKind::Unique: return "unique";
    case model::ConstraintKind::ForeignKey: return "foreign key";
    case model::ConstraintKind::Check: return "check";
    case model::ConstraintKind::Exclude: return "exclude";
  }
  return "?";
}
std::string Show(model::PartitionStrategy s) { return model::PartitionStrategyName(s); }
std::string Show(model::TriggerTiming t) { return model::TriggerTimingName(t); }
std::string Show(model::ArgMode m) {
  switch (m) {
    case model::ArgMode::In: return "in";
    case model::ArgMode::Out: return "out";
    case model::ArgMode::InOut: return "inout";
    case model::ArgMode::Variadic: return "variadic";
  }
  return "?";
}
std::string Show(model::ObjectKind k) { return model::ObjectKindName(k); }
std::string Show(const model::SequenceParams& p) {
  return fmt::format("{} start {} increment {} min {} max {} cache {}{}", Show(p.type), p.start,
                     p.increment, p.min_value, p.max_value, p.cache, p.cycle ? " cycle" : "");
}
std::string Show(const std::pair<std::string, std::string>& p) { return p.first + "=" + p.second; }
// The fields of an index element that are not SQL text (an expression's text is PostgreSQL's on
// one side and the user's on the other; a column is a name on both).
std::string Show(const model::IndexElement& e) {
  std::string out = e.is_column ? e.expression : "(expression)";
  if (e.collation) out += " collate " + *e.collation;
  if (e.opclass) out += " " + Show(*e.opclass);
  if (e.descending) out += " desc";
  if (e.nulls_first) out += *e.nulls_first ? " nulls first" : " nulls last";
  if (!e.exclude_operator.empty()) out += " with " + e.exclude_operator;
  return out;
}

template <typename T>
std::string Show(const std::optional<T>& o) {
  return o ? Show(*o) : std::string("(none)");
}
template <typename T>
std::string Show(const std::vector<T>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i > 0 ? ", " : "") + Show(v[i]);
  return out + "]";
}

// ---- comparing ---------------------------------------------------------------------------------

// Differences between the compiled model and the introspected one, one readable line each.
struct Comparison {
  std::vector<std::string> diffs;
  // Differences the test accepts because the compiled model cannot know better (each one is a
  // finding about the compiler's model; see the report of issue 3).
  std::vector<std::string> tolerated;

  template <typename T>
  void Eq(const std::string& where, std::string_view field, const T& compiled, const T& db) {
    if (compiled == db) return;
    diffs.push_back(fmt::format("{}: {}: compiled {}, database {}", where, field, Show(compiled),
                                Show(db)));
  }
  // Embedded SQL: only whether it is there.
  template <typename T>
  void Present(const std::string& where, std::string_view field, const std::optional<T>& compiled,
               const std::optional<T>& db) {
    if (compiled.has_value() == db.has_value()) return;
    diffs.push_back(fmt::format("{}: {}: compiled {}, database {}", where, field,
                                compiled ? "set" : "unset", db ? "set" : "unset"));
  }
  void Tolerate(const std::string& where, std::string_view field, const std::string& compiled,
                const std::string& db, std::string_view why) {
    tolerated.push_back(fmt::format("{}: {}: compiled {}, database {} ({})", where, field, compiled,
                                    db, why));
  }
};

// Matches two sorted lists by key and compares the pairs; reports objects found on one side only.
template <typename T, typename Key, typename Compare>
void MatchBy(Comparison& cmp, const std::string& what, const std::vector<T>& compiled,
             const std::vector<T>& db, Key key, Compare compare) {
  std::map<std::string, const T*> by_key;
  for (const T& d : db) by_key.emplace(key(d), &d);
  std::set<std::string> seen;
  for (const T& c : compiled) {
    const std::string k = key(c);
    seen.insert(k);
    auto it = by_key.find(k);
    if (it == by_key.end()) {
      cmp.diffs.push_back(fmt::format("{} {}: only in the compiled model", what, k));
      continue;
    }
    compare(what + " " + k, c, *it->second);
  }
  for (const T& d : db) {
    if (!seen.contains(key(d))) {
      cmp.diffs.push_back(fmt::format("{} {}: only in the database", what, key(d)));
    }
  }
}

// Opclasses: the compiler keeps the schema only when it was written.
void CompareOpclass(Comparison& cmp, const std::string& where,
                    const std::optional<QualifiedName>& compiled,
                    const std::optional<QualifiedName>& db) {
  if (compiled && db && compiled->schema.empty() && compiled->name == db->name) {
    cmp.Tolerate(where, "opclass", Show(*compiled), Show(*db),
                 "the compiler does not resolve an unqualified opclass's schema");
    return;
  }
  cmp.Eq(where, "opclass", compiled, db);
}

void CompareElements(Comparison& cmp, const std::string& where,
                     const std::vector<model::IndexElement>& compiled,
                     const std::vector<model::IndexElement>& db) {
  if (compiled.size() != db.size()) {
    cmp.diffs.push_back(fmt::format("{}: elements: compiled {}, database {}", where, Show(compiled),
                                    Show(db)));
    return;
  }
  for (size_t i = 0; i < compiled.size(); ++i) {
    const model::IndexElement& c = compiled[i];
    const model::IndexElement& d = db[i];
    const std::string at = fmt::format("{}: element {}", where, i + 1);
    cmp.Eq(at, "is_column", c.is_column, d.is_column);
    if (c.is_column && d.is_column) cmp.Eq(at, "column", c.expression, d.expression);
    cmp.Eq(at, "collation", c.collation, d.collation);
    CompareOpclass(cmp, at, c.opclass, d.opclass);
    cmp.Eq(at, "descending", c.descending, d.descending);
    cmp.Eq(at, "nulls_first", c.nulls_first, d.nulls_first);
    cmp.Eq(at, "exclude_operator", c.exclude_operator, d.exclude_operator);
  }
}

void CompareColumn(Comparison& cmp, const std::string& where, const model::Column& c,
                   const model::Column& d) {
  cmp.Eq(where, "type", c.type, d.type);
  cmp.Eq(where, "not_null", c.not_null, d.not_null);
  cmp.Present(where, "default", c.default_expr, d.default_expr);
  cmp.Eq(where, "identity", c.identity, d.identity);
  cmp.Eq(where, "identity_params", c.identity_params, d.identity_params);
  cmp.Present(where, "generated", c.generated, d.generated);
  cmp.Eq(where, "serial", c.serial, d.serial);
  cmp.Eq(where, "collation", c.collation, d.collation);
  cmp.Eq(where, "comment", c.comment, d.comment);
}

void CompareConstraint(Comparison& cmp, const std::string& where, const model::Constraint& c,
                       const model::Constraint& d) {
  cmp.Eq(where, "kind", c.kind, d.kind);
  cmp.Eq(where, "columns", c.columns, d.columns);
  cmp.Eq(where, "include", c.include, d.include);
  cmp.Eq(where, "nulls_not_distinct", c.nulls_not_distinct, d.nulls_not_distinct);
  cmp.Eq(where, "ref_table", c.ref_table, d.ref_table);
  cmp.Eq(where, "ref_columns", c.ref_columns, d.ref_columns);
  cmp.Eq(where, "match", c.match, d.match);
  cmp.Eq(where, "on_delete", c.on_delete, d.on_delete);
  cmp.Eq(where, "on_update", c.on_update, d.on_update);
  cmp.Eq(where, "on_delete_set_columns", c.on_delete_set_columns, d.on_delete_set_columns);
  cmp.Present(where, "expression", c.expression, d.expression);
  cmp.Eq(where, "no_inherit", c.no_inherit, d.no_inherit);
  cmp.Eq(where, "using_method", c.using_method, d.using_method);
  CompareElements(cmp, where, c.elements, d.elements);
  cmp.Eq(where, "deferral", c.deferral, d.deferral);
  cmp.Eq(where, "not_valid", c.not_valid, d.not_valid);
  cmp.Eq(where, "comment", c.comment, d.comment);
}

void CompareTable(Comparison& cmp, const std::string& where, const model::Table& c,
                  const model::Table& d) {
  cmp.Eq(where, "unlogged", c.unlogged, d.unlogged);
  std::vector<std::string> c_names, d_names;
  for (const model::Column& col : c.columns) c_names.push_back(col.name);
  for (const model::Column& col : d.columns) d_names.push_back(col.name);
  cmp.Eq(where, "column names (in order)", c_names, d_names);
  MatchBy(cmp, where + ": column", c.columns, d.columns,
          [](const model::Column& col) { return col.name; },
          [&](const std::string& w, const model::Column& x, const model::Column& y) {
            CompareColumn(cmp, w, x, y);
          });
  MatchBy(cmp, where + ": constraint", c.constraints, d.constraints,
          [](const model::Constraint& k) { return k.name; },
          [&](const std::string& w, const model::Constraint& x, const model::Constraint& y) {
            CompareConstraint(cmp, w, x, y);
          });
  cmp.Eq(where, "partition_strategy", c.partition_strategy, d.partition_strategy);
  CompareElements(cmp, where + ": partition key", c.partition_keys, d.partition_keys);
  cmp.Eq(where, "partition_of", c.partition_of, d.partition_of);
  cmp.Present(where, "partition_bound", c.partition_bound, d.partition_bound);
  cmp.Eq(where, "partition_default", c.partition_default, d.partition_default);
  cmp.Eq(where, "rls_enabled", c.rls_enabled, d.rls_enabled);
  cmp.Eq(where, "rls_forced", c.rls_forced, d.rls_forced);
  cmp.Eq(where, "comment", c.comment, d.comment);
}

void CompareArgs(Comparison& cmp, const std::string& where, std::string_view what,
                 const std::vector<model::FunctionArg>& c, const std::vector<model::FunctionArg>& d) {
  if (c.size() != d.size()) {
    cmp.diffs.push_back(fmt::format("{}: {}: compiled {} arguments, database {}", where, what,
                                    c.size(), d.size()));
    return;
  }
  for (size_t i = 0; i < c.size(); ++i) {
    const std::string at = fmt::format("{}: {} {}", where, what, i + 1);
    cmp.Eq(at, "mode", c[i].mode, d[i].mode);
    cmp.Eq(at, "name", c[i].name, d[i].name);
    cmp.Eq(at, "type", c[i].type, d[i].type);
    cmp.Present(at, "default", c[i].default_expr, d[i].default_expr);
  }
}

std::string GrantKey(const model::Grant& g) {
  return fmt::format("{} {} {}{} to {}", g.privilege, Show(g.object_kind), Show(g.object),
                     g.column ? " (" + *g.column + ")" : "", g.grantee);
}

void CompareCatalogs(Comparison& cmp, const model::Catalog& c, const model::Catalog& d) {
  MatchBy(cmp, "extension", c.extensions, d.extensions,
          [](const model::Extension& e) { return e.name; },
          [&](const std::string& w, const model::Extension& x, const model::Extension& y) {
            // The compiled model says nothing when the schema or version is not written.
            if (x.schema) cmp.Eq(w, "schema", x.schema, y.schema);
            if (x.version) cmp.Eq(w, "version", x.version, y.version);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "schema", c.schemas, d.schemas, [](const model::Schema& s) { return s.name; },
          [&](const std::string& w, const model::Schema& x, const model::Schema& y) {
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "enum", c.enums, d.enums, [](const model::Enum& e) { return Show(e.name); },
          [&](const std::string& w, const model::Enum& x, const model::Enum& y) {
            cmp.Eq(w, "values", x.values, y.values);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "domain", c.domains, d.domains, [](const model::Domain& e) { return Show(e.name); },
          [&](const std::string& w, const model::Domain& x, const model::Domain& y) {
            cmp.Eq(w, "base_type", x.base_type, y.base_type);
            cmp.Eq(w, "collation", x.collation, y.collation);
            cmp.Present(w, "default", x.default_expr, y.default_expr);
            cmp.Eq(w, "not_null", x.not_null, y.not_null);
            std::vector<std::string> xc, yc;
            for (const auto& k : x.checks) xc.push_back(k.name);
            for (const auto& k : y.checks) yc.push_back(k.name);
            std::sort(xc.begin(), xc.end());
            cmp.Eq(w, "check names", xc, yc);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "type", c.composite_types, d.composite_types,
          [](const model::CompositeType& t) { return Show(t.name); },
          [&](const std::string& w, const model::CompositeType& x, const model::CompositeType& y) {
            if (x.fields.size() != y.fields.size()) {
              cmp.diffs.push_back(fmt::format("{}: {} fields compiled, {} in the database", w,
                                              x.fields.size(), y.fields.size()));
              return;
            }
            for (size_t i = 0; i < x.fields.size(); ++i) {
              const std::string at = fmt::format("{}: field {}", w, i + 1);
              cmp.Eq(at, "name", x.fields[i].name, y.fields[i].name);
              cmp.Eq(at, "type", x.fields[i].type, y.fields[i].type);
              cmp.Eq(at, "collation", x.fields[i].collation, y.fields[i].collation);
            }
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "sequence", c.sequences, d.sequences,
          [](const model::Sequence& s) { return Show(s.name); },
          [&](const std::string& w, const model::Sequence& x, const model::Sequence& y) {
            cmp.Eq(w, "params", x.params, y.params);
            cmp.Eq(w, "owned_by_table", x.owned_by_table, y.owned_by_table);
            cmp.Eq(w, "owned_by_column", x.owned_by_column, y.owned_by_column);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "table", c.tables, d.tables, [](const model::Table& t) { return Show(t.name); },
          [&](const std::string& w, const model::Table& x, const model::Table& y) {
            CompareTable(cmp, w, x, y);
          });
  MatchBy(cmp, "index", c.indexes, d.indexes, [](const model::Index& i) { return Show(i.name); },
          [&](const std::string& w, const model::Index& x, const model::Index& y) {
            cmp.Eq(w, "table", x.table, y.table);
            cmp.Eq(w, "unique", x.unique, y.unique);
            cmp.Eq(w, "method", x.method, y.method);
            CompareElements(cmp, w, x.elements, y.elements);
            cmp.Eq(w, "include", x.include, y.include);
            cmp.Eq(w, "nulls_not_distinct", x.nulls_not_distinct, y.nulls_not_distinct);
            cmp.Present(w, "where", x.where, y.where);
            cmp.Eq(w, "invalid", x.invalid, y.invalid);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "view", c.views, d.views, [](const model::View& v) { return Show(v.name); },
          [&](const std::string& w, const model::View& x, const model::View& y) {
            cmp.Eq(w, "materialized", x.materialized, y.materialized);
            if (x.column_names.empty() && !y.column_names.empty()) {
              cmp.Tolerate(w, "column_names", "[]", Show(y.column_names),
                           "the compiler lists a view's columns only when they are written");
            } else {
              cmp.Eq(w, "column_names", x.column_names, y.column_names);
            }
            cmp.Eq(w, "options", x.options, y.options);
            cmp.Eq(w, "check_option", x.check_option, y.check_option);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "function", c.functions, d.functions,
          [](const model::Function& f) { return f.name.schema + "." + f.Signature(); },
          [&](const std::string& w, const model::Function& x, const model::Function& y) {
            cmp.Eq(w, "is_procedure", x.is_procedure, y.is_procedure);
            CompareArgs(cmp, w, "argument", x.args, y.args);
            cmp.Eq(w, "returns", x.returns, y.returns);
            cmp.Eq(w, "returns_setof", x.returns_setof, y.returns_setof);
            CompareArgs(cmp, w, "returns table column", x.returns_table, y.returns_table);
            cmp.Eq(w, "language", x.language, y.language);
            cmp.Eq(w, "volatility", x.volatility, y.volatility);
            cmp.Eq(w, "strict", x.strict, y.strict);
            cmp.Eq(w, "security_definer", x.security_definer, y.security_definer);
            cmp.Eq(w, "parallel", x.parallel, y.parallel);
            cmp.Eq(w, "leakproof", x.leakproof, y.leakproof);
            cmp.Eq(w, "cost", x.cost, y.cost);
            cmp.Eq(w, "rows", x.rows, y.rows);
            cmp.Eq(w, "set_options", x.set_options, y.set_options);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "trigger", c.triggers, d.triggers,
          [](const model::Trigger& t) { return Show(t.table) + "." + t.name; },
          [&](const std::string& w, const model::Trigger& x, const model::Trigger& y) {
            cmp.Eq(w, "constraint_trigger", x.constraint_trigger, y.constraint_trigger);
            cmp.Eq(w, "timing", x.timing, y.timing);
            cmp.Eq(w, "events", x.events, y.events);
            cmp.Eq(w, "update_columns", x.update_columns, y.update_columns);
            cmp.Eq(w, "referencing_old", x.referencing_old, y.referencing_old);
            cmp.Eq(w, "referencing_new", x.referencing_new, y.referencing_new);
            cmp.Eq(w, "for_each_row", x.for_each_row, y.for_each_row);
            cmp.Present(w, "when", x.when, y.when);
            cmp.Eq(w, "function", x.function, y.function);
            cmp.Eq(w, "args", x.args, y.args);
            cmp.Eq(w, "deferral", x.deferral, y.deferral);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "policy", c.policies, d.policies,
          [](const model::Policy& p) { return Show(p.table) + "." + p.name; },
          [&](const std::string& w, const model::Policy& x, const model::Policy& y) {
            cmp.Eq(w, "permissive", x.permissive, y.permissive);
            cmp.Eq(w, "command", x.command, y.command);
            cmp.Eq(w, "roles", x.roles, y.roles);
            cmp.Present(w, "using", x.using_expr, y.using_expr);
            cmp.Present(w, "with_check", x.with_check, y.with_check);
            cmp.Eq(w, "comment", x.comment, y.comment);
          });
  MatchBy(cmp, "grant", c.grants, d.grants, GrantKey,
          [&](const std::string& w, const model::Grant& x, const model::Grant& y) {
            cmp.Eq(w, "with_grant_option", x.with_grant_option, y.with_grant_option);
          });
  cmp.Eq("catalog", "roles", c.roles, d.roles);
}

// Every vector of an introspected catalog is in the order model.h prescribes.
void CheckSorted(const model::Catalog& c) {
  auto sorted = [](const auto& v, auto key) {
    return std::is_sorted(v.begin(), v.end(),
                          [&](const auto& a, const auto& b) { return key(a) < key(b); });
  };
  CHECK(sorted(c.extensions, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.schemas, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.enums, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.domains, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.composite_types, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.sequences, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.tables, [](const auto& x) { return x.name; }));
  for (const model::Table& t : c.tables) {
    CHECK(sorted(t.constraints, [](const auto& x) { return x.name; }));
  }
  CHECK(sorted(c.indexes, [](const auto& x) { return std::tie(x.table, x.name); }));
  CHECK(sorted(c.views, [](const auto& x) { return x.name; }));
  CHECK(sorted(c.functions, [](const auto& x) { return std::make_pair(x.name, x.Signature()); }));
  CHECK(sorted(c.triggers, [](const auto& x) { return std::tie(x.table, x.name); }));
  CHECK(sorted(c.policies, [](const auto& x) { return std::tie(x.table, x.name); }));
  CHECK(sorted(c.grants, [](const auto& g) {
    return std::tie(g.object, g.object_kind, g.column, g.grantee, g.privilege);
  }));
  CHECK(std::is_sorted(c.roles.begin(), c.roles.end()));
}

// ---- schemas/ --------------------------------------------------------------------------------------

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

std::string Lines(const std::vector<Unsupported>& items) {
  std::string out;
  for (const Unsupported& u : items) out += "  " + u.kind + ": " + u.name + "\n";
  return out;
}

void RoundTrip(const fs::path& schema) {
  auto compilation = schemac::driver::Compile({schema.string()});
  if (!compilation->catalog) {
    FAIL("compiling " << schema.string() << " failed:\n" << compilation->diags.Render(false));
  }
  const model::Catalog& compiled = *compilation->catalog;
  schemac::test::ScratchDatabase db("introspect_" + schema.stem().string());
  schemac::pg::Connection conn(db.conninfo());
  schemac::test::CreateRoles(conn, schemac::test::RolesOf(schema.string()));
  conn.Exec(schemac::sqlgen::CreateAll(compiled));

  const Introspection got = Introspect(conn, {});
  CheckSorted(got.catalog);
  if (!got.unsupported.empty()) {
    FAIL_CHECK("objects reported as unsupported:\n" << Lines(got.unsupported));
  }
  Comparison cmp;
  CompareCatalogs(cmp, compiled, got.catalog);
  if (!cmp.tolerated.empty()) {
    WARN(schema.filename().string() << ": " << cmp.tolerated.size()
                                     << " known differences of the compiled model:\n"
                                     << Lines(cmp.tolerated));
  }
  if (!cmp.diffs.empty()) {
    FAIL_CHECK(schema.filename().string() << ": the introspected database differs from the "
                                             "compiled model in "
                                          << cmp.diffs.size() << " places:\n"
                                          << Lines(cmp.diffs));
  }
  // A second read of the same database gives the same model (same queries, same snapshot rules).
  const Introspection again = Introspect(conn, {});
  Comparison same;
  CompareCatalogs(same, got.catalog, again.catalog);
  CHECK(same.diffs.empty());
  CHECK(again.query_count == got.query_count);
}

// ---- helpers for SQL-built databases --------------------------------------------------------------

const model::Table* FindTable(const model::Catalog& c, const QualifiedName& name) {
  for (const model::Table& t : c.tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const model::Column* FindColumn(const model::Table& t, const std::string& name) {
  for (const model::Column& c : t.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool HasUnsupported(const Introspection& in, const std::string& kind, const std::string& name) {
  return std::find(in.unsupported.begin(), in.unsupported.end(), Unsupported{kind, name}) !=
         in.unsupported.end();
}

std::vector<std::string> ConstraintNames(const model::Table& t) {
  std::vector<std::string> names;
  for (const model::Constraint& c : t.constraints) names.push_back(c.name);
  return names;
}

std::vector<std::string> IndexNames(const model::Catalog& c, const QualifiedName& table) {
  std::vector<std::string> names;
  for (const model::Index& i : c.indexes) {
    if (i.table == table) names.push_back(i.name.name);
  }
  return names;
}

std::vector<std::string> TriggerNames(const model::Catalog& c, const QualifiedName& table) {
  std::vector<std::string> names;
  for (const model::Trigger& t : c.triggers) {
    if (t.table == table) names.push_back(t.name);
  }
  return names;
}

}  // namespace

// SCHEMAC_INTROSPECT_SCHEMAS=path[:path...] round-trips those schemas instead (roles next to them as
// for schemas/), to try a schema of one's own.
TEST_CASE("introspect: every schema in schemas/ reads back as its compiled model", "[integration]") {
  std::vector<fs::path> schemas;
  if (const char* paths = std::getenv("SCHEMAC_INTROSPECT_SCHEMAS"); paths && *paths) {
    std::string rest = paths;
    for (size_t colon; (colon = rest.find(':')) != std::string::npos; rest.erase(0, colon + 1)) {
      if (colon > 0) schemas.emplace_back(rest.substr(0, colon));
    }
    if (!rest.empty()) schemas.emplace_back(rest);
  } else {
    for (const schemac::test::ExampleSchema& example : schemac::test::ExampleSchemas()) schemas.emplace_back(example.path);
  }
  REQUIRE_FALSE(schemas.empty());
  schemac::test::TestConninfo();  // fail with instructions if there is no test database
  for (const fs::path& schema : schemas) {
    DYNAMIC_SECTION(schema.filename().string()) { RoundTrip(schema); }
  }
}

TEST_CASE("introspect: objects only SQL can create", "[integration]") {
  schemac::test::ScratchDatabase db("introspect_sql");
  schemac::pg::Connection conn(db.conninfo());
  conn.Exec(R"sql(
    CREATE EXTENSION pg_trgm;

    -- serial columns: a plain column with a nextval default and a sequence owned by it
    CREATE TABLE counters (id serial PRIMARY KEY, big bigserial, label text);

    -- unsupported: an aggregate, a rule, an inherited column the child changed
    CREATE AGGREGATE my_sum(integer) (sfunc = int4pl, stype = integer);
    CREATE TABLE vehicle (id int PRIMARY KEY, wheels int);
    CREATE TABLE car (doors int, wheels int) INHERITS (vehicle);
    CREATE RULE car_no_delete AS ON DELETE TO car DO INSTEAD NOTHING;
    CREATE TABLE bike () INHERITS (vehicle);
    ALTER TABLE bike ALTER COLUMN wheels SET DEFAULT 2;

    -- collations (one with a comment, which is reported)
    CREATE COLLATION "numeric" (provider = icu, locale = 'en-u-kn-true');
    CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
    CREATE COLLATION posix FROM "POSIX";
    COMMENT ON COLLATION posix IS 'plain';
    ALTER TABLE car ADD COLUMN plate text COLLATE "numeric";

    -- a partitioned table with a primary key, an index, a check, a foreign key and a trigger; its
    -- partitions get clones of all of them
    CREATE TABLE measurements (
      sensor int NOT NULL,
      at date NOT NULL,
      value numeric(10,2) CHECK (value >= 0),
      PRIMARY KEY (sensor, at)
    ) PARTITION BY RANGE (at);
    CREATE INDEX measurements_value ON measurements (value DESC);
    CREATE TABLE measurements_2024 PARTITION OF measurements
      FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE measurements_rest PARTITION OF measurements DEFAULT;
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    CREATE TRIGGER measurements_touch BEFORE UPDATE ON measurements
      FOR EACH ROW EXECUTE FUNCTION touch();
    CREATE TABLE sensors (id int PRIMARY KEY);
    ALTER TABLE measurements ADD FOREIGN KEY (sensor) REFERENCES sensors (id);
    -- a partition's own addition is kept
    CREATE INDEX measurements_2024_at ON measurements_2024 (at);

    -- a foreign key to a partitioned table (PostgreSQL adds one internal constraint per partition)
    CREATE TABLE alerts (
      id int PRIMARY KEY,
      sensor int,
      at date,
      FOREIGN KEY (sensor, at) REFERENCES measurements (sensor, at) ON DELETE CASCADE
    );

    -- a NOT VALID check, and a default privilege revoked
    ALTER TABLE alerts ADD CONSTRAINT alerts_sensor_positive CHECK (sensor > 0) NOT VALID;
    REVOKE EXECUTE ON FUNCTION touch() FROM PUBLIC;
  )sql");

  const Introspection got = Introspect(conn, {});
  const model::Catalog& c = got.catalog;
  INFO("unsupported:\n" << Lines(got.unsupported));
  // The snapshot transaction and its settings are gone again.
  CHECK(conn.Query("SHOW search_path")[0][0] == std::optional<std::string>("\"$user\", public"));

  SECTION("serial columns stay plain columns with an owned sequence") {
    const model::Table* t = FindTable(c, {"public", "counters"});
    REQUIRE(t != nullptr);
    const model::Column* id = FindColumn(*t, "id");
    REQUIRE(id != nullptr);
    CHECK(id->type == model::TypeName{"pg_catalog", "integer", "", 0});
    CHECK(id->not_null);
    CHECK_FALSE(id->serial.has_value());
    CHECK(id->identity == model::IdentityKind::None);
    REQUIRE(id->default_expr.has_value());
    CHECK(id->default_expr->text == "nextval('public.counters_id_seq'::regclass)");
    CHECK_FALSE(id->default_expr->loc.IsValid());
    const model::Column* big = FindColumn(*t, "big");
    REQUIRE(big != nullptr);
    CHECK(big->type.name == "bigint");
    std::vector<std::string> owned;
    for (const model::Sequence& s : c.sequences) {
      if (s.owned_by_table == QualifiedName{"public", "counters"}) {
        owned.push_back(s.name.name + "->" + s.owned_by_column.value_or("?"));
      }
    }
    CHECK(owned == std::vector<std::string>{"counters_big_seq->big", "counters_id_seq->id"});
  }

  SECTION("table inheritance: the parents, and only the child's own columns") {
    const model::Table* car = FindTable(c, {"public", "car"});
    REQUIRE(car != nullptr);
    CHECK(car->inherits == std::vector<QualifiedName>{{"public", "vehicle"}});
    std::vector<std::string> columns;
    for (const model::Column& col : car->columns) columns.push_back(col.name);
    // `wheels` is declared in car as well: merged, so local.
    CHECK(columns == std::vector<std::string>{"wheels", "doors", "plate"});
    const model::Table* bike = FindTable(c, {"public", "bike"});
    REQUIRE(bike != nullptr);
    CHECK(bike->columns.empty());
    CHECK(HasUnsupported(got, "inherited column", "public.bike.wheels (differs from its parent's)"));
    for (const Unsupported& u : got.unsupported) CHECK(u.kind != "table inheritance");
  }

  SECTION("collations, and the columns that use them") {
    std::vector<std::string> collations;
    for (const model::Collation& k : c.collations) {
      collations.push_back(k.name.name + " " + k.provider + " " + k.locale.value_or("-") + " " +
                           k.lc_collate.value_or("-") + "/" + k.lc_ctype.value_or("-") +
                           (k.deterministic ? "" : " nondeterministic"));
    }
    CHECK(collations == std::vector<std::string>{"ci icu und-u-ks-level2 -/- nondeterministic",
                                                 "numeric icu en-u-kn-true -/-", "posix libc - POSIX/POSIX"});
    const model::Column* plate = FindColumn(*FindTable(c, {"public", "car"}), "plate");
    REQUIRE(plate != nullptr);
    CHECK(plate->collation == std::optional<std::string>("public.numeric"));
    CHECK(HasUnsupported(got, "comment on collation", "public.posix"));
  }

  SECTION("aggregates and rules are reported, not dropped") {
    CHECK(HasUnsupported(got, "aggregate", "public.my_sum(integer)"));
    CHECK(HasUnsupported(got, "rule", "car_no_delete on public.car"));
    CHECK(HasUnsupported(got, "revoked default privilege",
                         "EXECUTE on function public.touch() from public"));
    for (const model::Function& f : c.functions) CHECK(f.name.name != "my_sum");
    // The tables themselves are real tables and stay in the model.
    CHECK(FindTable(c, {"public", "car"}) != nullptr);
    CHECK(FindTable(c, {"public", "vehicle"}) != nullptr);
  }

  SECTION("an extension's objects are the extension's") {
    std::vector<std::string> extensions;
    for (const model::Extension& e : c.extensions) extensions.push_back(e.name);
    CHECK(extensions == std::vector<std::string>{"pg_trgm"});
    CHECK(c.extensions.front().schema == "public");
    CHECK(c.extensions.front().version.has_value());
    CHECK_FALSE(c.extensions.front().comment.has_value());  // the control file's comment
    std::vector<std::string> functions;
    for (const model::Function& f : c.functions) functions.push_back(f.name.name);
    CHECK(functions == std::vector<std::string>{"touch"});
    for (const Unsupported& u : got.unsupported) {
      CHECK(u.kind != "operator");
      CHECK(u.kind != "operator class");
      CHECK(u.kind != "base type");
    }
    // The aggregate, the rule, the revoked default privilege, the collation comment and bike's
    // changed inherited column.
    CHECK(got.unsupported.size() == 5);
  }

  SECTION("partitions do not list what PostgreSQL cloned from the parent") {
    const model::Table* parent = FindTable(c, {"public", "measurements"});
    REQUIRE(parent != nullptr);
    CHECK(parent->partition_strategy == model::PartitionStrategy::Range);
    REQUIRE(parent->partition_keys.size() == 1);
    CHECK(parent->partition_keys[0].expression == "at");
    CHECK(parent->partition_keys[0].is_column);
    CHECK(ConstraintNames(*parent) == std::vector<std::string>{
                                          "measurements_pkey", "measurements_sensor_fkey",
                                          "measurements_value_check"});
    CHECK(IndexNames(c, parent->name) == std::vector<std::string>{"measurements_value"});
    CHECK(TriggerNames(c, parent->name) == std::vector<std::string>{"measurements_touch"});

    const model::Table* p2024 = FindTable(c, {"public", "measurements_2024"});
    REQUIRE(p2024 != nullptr);
    CHECK(p2024->partition_of == QualifiedName{"public", "measurements"});
    REQUIRE(p2024->partition_bound.has_value());
    CHECK(p2024->partition_bound->text == "FROM ('2024-01-01') TO ('2025-01-01')");
    CHECK_FALSE(p2024->partition_default);
    CHECK(p2024->columns.empty());
    CHECK(p2024->constraints.empty());
    CHECK(IndexNames(c, p2024->name) == std::vector<std::string>{"measurements_2024_at"});
    CHECK(TriggerNames(c, p2024->name).empty());

    const model::Table* rest = FindTable(c, {"public", "measurements_rest"});
    REQUIRE(rest != nullptr);
    CHECK(rest->partition_default);
    CHECK_FALSE(rest->partition_bound.has_value());
    CHECK(rest->constraints.empty());
    CHECK(IndexNames(c, rest->name).empty());
  }

  SECTION("a foreign key to a partitioned table is one constraint") {
    const model::Table* alerts = FindTable(c, {"public", "alerts"});
    REQUIRE(alerts != nullptr);
    CHECK(ConstraintNames(*alerts) == std::vector<std::string>{
                                          "alerts_pkey", "alerts_sensor_at_fkey",
                                          "alerts_sensor_positive"});
    const model::Constraint& fk = alerts->constraints[1];
    CHECK(fk.kind == model::ConstraintKind::ForeignKey);
    CHECK(fk.columns == std::vector<std::string>{"sensor", "at"});
    CHECK(fk.ref_table == QualifiedName{"public", "measurements"});
    CHECK(fk.ref_columns == std::vector<std::string>{"sensor", "at"});
    CHECK(fk.on_delete == model::FkAction::Cascade);
    CHECK(fk.on_update == model::FkAction::NoAction);
    CHECK_FALSE(fk.not_valid);
    const model::Constraint& check = alerts->constraints[2];
    CHECK(check.kind == model::ConstraintKind::Check);
    CHECK(check.not_valid);
    REQUIRE(check.expression.has_value());
    CHECK(check.expression->text == "sensor > 0");
  }

  SECTION("only the schemas asked for") {
    conn.Exec("CREATE SCHEMA other; CREATE TABLE other.t (id int); CREATE SCHEMA schemac;"
              " CREATE TABLE schemac.history (id int)");
    const Introspection only = Introspect(conn, {.schemas = {"other", "schemac", "pg_catalog"}});
    REQUIRE(only.catalog.schemas.size() == 1);
    CHECK(only.catalog.schemas[0].name == "other");
    REQUIRE(only.catalog.tables.size() == 1);
    CHECK(only.catalog.tables[0].name == QualifiedName{"other", "t"});
    CHECK(only.catalog.extensions.empty());
    CHECK(only.query_count == got.query_count);
    const Introspection all = Introspect(conn, {});
    for (const model::Schema& s : all.catalog.schemas) CHECK(s.name != "schemac");
  }
}

TEST_CASE("introspect: the number of queries does not grow with the number of tables",
          "[integration]") {
  // n tables, each with a primary key, a unique, a check, an index and a foreign key to the first.
  auto build = [](schemac::pg::Connection& conn, int n) {
    conn.Exec(fmt::format(R"sql(
      DO $$
      BEGIN
        FOR i IN 1..{} LOOP
          EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, code text UNIQUE,
                            qty int CHECK (qty >= 0), parent bigint%s)',
                         i, CASE WHEN i > 1 THEN ' REFERENCES t1 (id)' ELSE '' END);
          EXECUTE format('CREATE INDEX t%s_qty ON t%s (qty)', i, i);
        END LOOP;
      END $$)sql",
                          n));
  };
  schemac::test::ScratchDatabase small_db("introspect_10");
  schemac::pg::Connection small(small_db.conninfo());
  build(small, 10);
  schemac::test::ScratchDatabase large_db("introspect_200");
  schemac::pg::Connection large(large_db.conninfo());
  build(large, 200);

  const Introspection a = Introspect(small, {});
  const Introspection b = Introspect(large, {});
  CHECK(a.catalog.tables.size() == 10);
  CHECK(b.catalog.tables.size() == 200);
  CHECK(b.catalog.indexes.size() == 200);
  CHECK(a.query_count == b.query_count);
  CHECK(a.query_count <= 16);
}
