#include "compiler/model/dump.h"

#include "compiler/base/hash.h"

#include <fmt/format.h>

namespace schemac::model {

namespace {

std::string Q(const QualifiedName& n) { return n.schema.empty() ? n.name : n.schema + "." + n.name; }

std::string Opt(const std::optional<std::string>& s) { return s ? "'" + *s + "'" : "-"; }

std::string Expr1(const std::optional<Expr>& e) { return e ? "(" + e->text + ")" : "-"; }

const char* Deferral1(Deferral d) {
  switch (d) {
    case Deferral::NotDeferrable: return "not deferrable";
    case Deferral::InitiallyImmediate: return "deferrable";
    case Deferral::InitiallyDeferred: return "deferrable initially deferred";
  }
  return "?";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string Seq(const SequenceParams& p) {
  return fmt::format("{} start {} increment {} min {} max {} cache {}{}", p.type.ToSql(), p.start,
                     p.increment, p.min_value, p.max_value, p.cache, p.cycle ? " cycle" : "");
}

std::string Elem(const IndexElement& e) {
  std::string out = e.is_column ? e.expression : "(" + e.expression + ")";
  if (e.collation) out += " collate " + *e.collation;
  if (e.opclass) out += " " + Q(*e.opclass);
  if (e.descending) out += " desc";
  if (e.nulls_first) out += *e.nulls_first ? " nulls first" : " nulls last";
  if (!e.exclude_operator.empty()) out += " with " + e.exclude_operator;
  return out;
}

std::string Elems(const std::vector<IndexElement>& v) {
  std::vector<std::string> parts;
  for (const IndexElement& e : v) parts.push_back(Elem(e));
  return Join(parts);
}

const char* ConstraintKind1(ConstraintKind k) {
  switch (k) {
    case ConstraintKind::PrimaryKey: return "primary key";
    case ConstraintKind::Unique: return "unique";
    case ConstraintKind::ForeignKey: return "foreign key";
    case ConstraintKind::Check: return "check";
    case ConstraintKind::Exclude: return "exclude";
  }
  return "?";
}

std::string Args(const std::vector<FunctionArg>& args) {
  std::vector<std::string> parts;
  for (const FunctionArg& a : args) {
    const char* mode = a.mode == ArgMode::Out ? "out " : a.mode == ArgMode::InOut ? "inout "
                       : a.mode == ArgMode::Variadic ? "variadic " : "";
    parts.push_back(fmt::format("{}{}{}{}", mode, a.name.empty() ? "" : a.name + " ", a.type.ToSql(),
                                a.default_expr ? " default " + a.default_expr->text : ""));
  }
  return Join(parts);
}

}  // namespace

std::string Dump(const Catalog& c) {
  std::string o;
  auto line = [&o](int indent, const std::string& s) { o += std::string(indent * 2, ' ') + s + "\n"; };
  for (const Extension& e : c.extensions) {
    line(0, fmt::format("extension {} schema {} version {} comment {}", e.name, Opt(e.schema), Opt(e.version), Opt(e.comment)));
  }
  for (const Schema& s : c.schemas) line(0, fmt::format("schema {} comment {}", s.name, Opt(s.comment)));
  for (const Collation& k : c.collations) {
    line(0, fmt::format("collation {} provider {} locale {} lc_collate {} lc_ctype {}{}", Q(k.name),
                        k.provider, Opt(k.locale), Opt(k.lc_collate), Opt(k.lc_ctype),
                        k.deterministic ? "" : " nondeterministic"));
  }
  for (const Enum& e : c.enums) {
    std::vector<std::string> values;
    for (const std::string& v : e.values) values.push_back("'" + v + "'");
    line(0, fmt::format("enum {} ({}) comment {}", Q(e.name), Join(values), Opt(e.comment)));
  }
  for (const Domain& d : c.domains) {
    line(0, fmt::format("domain {} {} collate {} default {}{} comment {}", Q(d.name), d.base_type.ToSql(),
                        Opt(d.collation), Expr1(d.default_expr), d.not_null ? " not null" : "", Opt(d.comment)));
    for (const DomainCheck& k : d.checks) {
      line(1, fmt::format("check {} ({}){}", k.name, k.expression.text, k.not_valid ? " not valid" : ""));
    }
  }
  for (const CompositeType& t : c.composite_types) {
    line(0, fmt::format("type {} comment {}", Q(t.name), Opt(t.comment)));
    for (const CompositeField& f : t.fields) line(1, fmt::format("field {} {} collate {}", f.name, f.type.ToSql(), Opt(f.collation)));
  }
  for (const Sequence& s : c.sequences) {
    line(0, fmt::format("sequence {} {} owned by {} comment {}", Q(s.name), Seq(s.params),
                        s.owned_by_table ? Q(*s.owned_by_table) + "." + s.owned_by_column.value_or("?") : "-",
                        Opt(s.comment)));
  }
  for (const Table& t : c.tables) {
    std::string head = fmt::format("table {}{}", Q(t.name), t.unlogged ? " unlogged" : "");
    if (t.partition_strategy) {
      const char* s = *t.partition_strategy == PartitionStrategy::Range ? "range"
                      : *t.partition_strategy == PartitionStrategy::List ? "list" : "hash";
      head += fmt::format(" partition by {} ({})", s, Elems(t.partition_keys));
    }
    if (t.partition_of) {
      head += " partition of " + Q(*t.partition_of) +
              (t.partition_default ? " default" : " for values " + Expr1(t.partition_bound));
    }
    if (!t.inherits.empty()) {
      std::vector<std::string> parents;
      for (const QualifiedName& p : t.inherits) parents.push_back(Q(p));
      head += " inherits (" + Join(parents) + ")";
    }
    if (t.rls_enabled) head += " rls";
    if (t.rls_forced) head += " force-rls";
    line(0, head + " comment " + Opt(t.comment));
    for (const Column& col : t.columns) {
      std::string s = fmt::format("column {} {}", col.name, col.serial ? *col.serial : col.type.ToSql());
      if (col.not_null) s += " not null";
      if (col.default_expr) s += " default " + Expr1(col.default_expr);
      if (col.identity != IdentityKind::None) {
        s += col.identity == IdentityKind::Always ? " identity always" : " identity by default";
        if (col.identity_params) s += " [" + Seq(*col.identity_params) + "]";
      }
      if (col.generated) s += " generated " + Expr1(col.generated);
      if (col.collation) s += " collate " + *col.collation;
      if (col.comment) s += " comment '" + *col.comment + "'";
      line(1, s);
    }
    for (const Constraint& k : t.constraints) {
      std::string s = fmt::format("{} {}", ConstraintKind1(k.kind), k.name);
      if (!k.columns.empty()) s += " (" + Join(k.columns) + ")";
      if (!k.include.empty()) s += " include (" + Join(k.include) + ")";
      if (k.nulls_not_distinct) s += " nulls not distinct";
      if (k.kind == ConstraintKind::ForeignKey) {
        s += fmt::format(" references {} ({}) match {} on delete {} on update {}", Q(k.ref_table),
                         Join(k.ref_columns), k.match.empty() ? "simple" : k.match, FkActionName(k.on_delete),
                         FkActionName(k.on_update));
        if (!k.on_delete_set_columns.empty()) s += " set (" + Join(k.on_delete_set_columns) + ")";
      }
      if (k.kind == ConstraintKind::Exclude) s += fmt::format(" using {} ({})", k.using_method, Elems(k.elements));
      if (k.expression) s += (k.kind == ConstraintKind::Exclude ? " where " : " ") + Expr1(k.expression);
      if (k.no_inherit) s += " no inherit";
      if (k.deferral != Deferral::NotDeferrable) s += std::string(" ") + Deferral1(k.deferral);
      if (k.not_valid) s += " not valid";
      if (k.comment) s += " comment '" + *k.comment + "'";
      line(1, s);
    }
  }
  for (const Index& i : c.indexes) {
    std::string s = fmt::format("{}index {} on {} using {} ({})", i.unique ? "unique " : "", i.name.name,
                                Q(i.table), i.method, Elems(i.elements));
    if (!i.include.empty()) s += " include (" + Join(i.include) + ")";
    if (i.nulls_not_distinct) s += " nulls not distinct";
    if (i.where) s += " where " + Expr1(i.where);
    if (i.invalid) s += " invalid";
    for (const QualifiedName& p : i.unattached_partitions) s += " unattached " + Q(p);
    if (i.comment) s += " comment '" + *i.comment + "'";
    line(0, s);
  }
  for (const View& v : c.views) {
    std::vector<std::string> opts;
    for (const auto& [k, val] : v.options) opts.push_back(k + "=" + val);
    line(0, fmt::format("{}view {} ({}) with ({}) check option {} comment {}", v.materialized ? "materialized " : "",
                        Q(v.name), Join(v.column_names), Join(opts), Opt(v.check_option), Opt(v.comment)));
    line(1, "as " + v.query.text);
  }
  for (const Function& f : c.functions) {
    std::string returns = f.is_procedure ? "-" : f.returns ? (f.returns_setof ? "setof " : "") + f.returns->ToSql()
                                                           : "table (" + Args(f.returns_table) + ")";
    std::vector<std::string> sets;
    for (const auto& [k, v] : f.set_options) sets.push_back(k + "=" + v);
    line(0, fmt::format("{} {}({}) returns {} language {} {}{}{} parallel {}{} cost {} rows {} set ({}) comment {}",
                        f.is_procedure ? "procedure" : "function", Q(f.name), Args(f.args), returns, f.language,
                        f.volatility, f.strict ? " strict" : "", f.security_definer ? " security definer" : "",
                        f.parallel, f.leakproof ? " leakproof" : "", Opt(f.cost), Opt(f.rows), Join(sets),
                        Opt(f.comment)));
    line(1, "body " + f.body.text);
  }
  for (const Trigger& t : c.triggers) {
    const char* timing = t.timing == TriggerTiming::Before ? "before" : t.timing == TriggerTiming::After ? "after" : "instead of";
    line(0, fmt::format("{}trigger {} on {} {} {}{} for each {} when {} execute {}({}) referencing old {} new {} {} comment {}",
                        t.constraint_trigger ? "constraint " : "", t.name, Q(t.table), timing, Join(t.events),
                        t.update_columns.empty() ? "" : " of " + Join(t.update_columns),
                        t.for_each_row ? "row" : "statement", Expr1(t.when), Q(t.function), Join(t.args),
                        Opt(t.referencing_old), Opt(t.referencing_new), Deferral1(t.deferral), Opt(t.comment)));
  }
  for (const Policy& p : c.policies) {
    line(0, fmt::format("policy {} on {} {} for {} to ({}) using {} with check {} comment {}", p.name, Q(p.table),
                        p.permissive ? "permissive" : "restrictive", p.command, Join(p.roles), Expr1(p.using_expr),
                        Expr1(p.with_check), Opt(p.comment)));
  }
  for (const Grant& g : c.grants) {
    line(0, fmt::format("grant {} on {} {}{} to {}{}", g.privilege, ObjectKindName(g.object_kind), Q(g.object),
                        g.column ? " (" + *g.column + ")" : "", g.grantee, g.with_grant_option ? " with grant option" : ""));
  }
  return o;
}

std::string Fingerprint(const Catalog& catalog) { return base::StableHash(Dump(catalog)); }

}  // namespace schemac::model
