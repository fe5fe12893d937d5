// Columns of existing tables: add, drop (destructive), type changes (destructive when lossy,
// ClassifyTypeChange), defaults, NOT NULL, identity, generated expressions, collations, comments.
//
// PostgreSQL behaviour this relies on (ALTER TABLE docs, "Notes"):
// - ADD COLUMN with a non-volatile default (or none) only changes the catalog; a volatile default,
//   an identity or a stored generated column fills every row, which rewrites the table.
// - DROP COLUMN only marks the column dropped (no rewrite); its data is gone for good.
// - ALTER COLUMN TYPE rewrites the table and rebuilds its indexes unless the change is binary
//   coercible; it converts the default too, which fails for defaults that do not cast, so the
//   default is dropped before and set again after.
// - SET NOT NULL scans the table (it fails if a NULL is stored); DROP NOT NULL and SET/DROP DEFAULT
//   are catalog-only. All of them take an ACCESS EXCLUSIVE lock for their (short) duration.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/diff/internal/context.h"
#include "compiler/diff/type_change.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;

bool Contains(const std::vector<model::QualifiedName>& list, const model::QualifiedName& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// Functions whose value differs per row, so that ADD COLUMN ... DEFAULT must evaluate them for
// every existing row (a rewrite) instead of storing one value in the catalog.
bool LooksVolatile(const std::string& expr) {
  static const char* const kVolatile[] = {
      "random",  "clock_timestamp", "timeofday",          "gen_random_uuid", "uuid_generate_v1",
      "uuid_generate_v4", "nextval", "txid_current", "statement_timestamp"};
  return std::any_of(std::begin(kVolatile), std::end(kVolatile),
                     [&](const char* f) { return Mentions(expr, f); });
}

std::optional<std::string> Text(const std::optional<model::Expr>& e) {
  return e ? std::optional<std::string>(e->text) : std::nullopt;
}

// Identity sequence parameters with PostgreSQL's defaults for the column's type filled in.
model::SequenceParams IdentityParams(const model::Column& column) {
  model::SequenceParams params;
  if (column.identity_params) params = *column.identity_params;
  params.type = column.type;
  if (!column.identity_params) {
    params.max_value = column.type.name == "smallint" ? INT16_MAX
                       : column.type.name == "integer" ? INT32_MAX : INT64_MAX;
  }
  return params;
}

// Between two user-defined types (one enum to another) PostgreSQL has no cast, but both read and
// print text: the USING expression goes through text, with as many array dimensions as the column
// has. Empty when the cast is direct.
std::string ViaText(const model::Column& live, const model::Column& target) {
  std::string via;
  if (!live.type.IsBuiltin() && !target.type.IsBuiltin() && live.type != target.type &&
      live.type.array_dims == target.type.array_dims) {
    via = "::text";
    for (int i = 0; i < live.type.array_dims; ++i) via += "[]";
  }
  return via;
}

class ColumnDiffer {
 public:
  ColumnDiffer(Context& ctx, const model::Table& table, const model::Column* live,
               const model::Column& target)
      : ctx_(ctx), table_(table), live_(live), target_(target),
        key_{KeyKind::Column, table.name, target.name},
        prefix_(fmt::format("{} ALTER COLUMN {}", AlterTable(table.name),
                            QuoteIdent(target.name))) {}

  size_t Add(std::string note);
  void Alter();

 private:
  size_t Emit(Role role, Phase phase, char action, std::string what, std::string sql,
              std::vector<Hazard> hazards, bool temporary = false, bool creates = false) {
    return ctx_.Emit({.key = key_, .role = role, .phase = phase, .rank = Rank::Column,
                      .object = {ObjectKind::Table, table_.name}, .action = action,
                      .summary = fmt::format("column {}.{}: {}", Display(table_.name), target_.name,
                                             what),
                      .sql = std::move(sql), .hazards = std::move(hazards), .loc = target_.loc,
                      .temporary = temporary, .creates_object = creates});
  }
  void Recreate();
  void Retype();
  void Default(bool after_drop);
  void Identity();
  void Comment(bool fresh);

  Context& ctx_;
  const model::Table& table_;
  const model::Column* live_;
  const model::Column& target_;
  const Key key_;
  const std::string prefix_;
};

size_t ColumnDiffer::Add(std::string note) {
  std::vector<Hazard> hazards = {Hazard::AccessExclusiveLock};
  std::string what = "added" + note;
  bool fills_rows = target_.generated || target_.identity != model::IdentityKind::None ||
                    target_.serial ||
                    (target_.default_expr && LooksVolatile(target_.default_expr->text));
  if (fills_rows) hazards.push_back(Hazard::RewritesTable);
  if (target_.not_null && !target_.default_expr && !fills_rows) {
    // Only an empty table accepts a NOT NULL column without a default.
    hazards.push_back(Hazard::MayFailOnExistingRows);
    what += " (NOT NULL without a default: fails if the table has rows)";
  }
  size_t step = Emit(Role::Create, Phase::Create, '+', what,
                     fmt::format("{} ADD COLUMN {};", AlterTable(table_.name),
                                 sqlgen::ColumnDefinition(target_)),
                     hazards, false, true);
  Comment(true);
  return step;
}

void ColumnDiffer::Recreate() {
  // The stored values of a generated column are derived data: dropping and adding it again loses
  // nothing (but computes every row). Turning a plain column into a generated one replaces its
  // values, which is data loss.
  std::vector<Hazard> hazards = {Hazard::AccessExclusiveLock};
  std::string why = "generated expression changed";
  bool fails_on_rows = false;
  if (ColumnCannotConvert(ctx_, *live_, target_)) {
    // No cast: ALTER COLUMN TYPE would fail. The column is dropped and added empty (NULL or its
    // default in every row).
    hazards.push_back(Hazard::DeletesData);
    why = fmt::format("type {} -> {} has no cast in PostgreSQL: the column cannot be converted "
                      "(its values are lost)",
                      live_->type.ToSql(), target_.type.ToSql());
    fails_on_rows = target_.not_null && !target_.default_expr && !target_.generated &&
                    target_.identity == model::IdentityKind::None;
  } else if (!live_->generated) {
    hazards.push_back(Hazard::DeletesData);
    why = "becomes a generated column (its stored values are replaced)";
  } else if (!GeneratedColumnRecreated(*live_, target_)) {
    why = "generated column dropped and added again" + ctx_.ForcedReason(key_);
  }
  Emit(Role::Remove, Phase::Drop, '-', why + "; dropped",
       fmt::format("{} DROP COLUMN {};", AlterTable(table_.name), QuoteIdent(target_.name)),
       hazards, true);
  std::erase(hazards, Hazard::DeletesData);
  // A generated column computes every row; a plain one added again only fills rows when its
  // default must be evaluated per row.
  const bool cannot_convert = ColumnCannotConvert(ctx_, *live_, target_);
  if (!cannot_convert || target_.generated || target_.identity != model::IdentityKind::None ||
      (target_.default_expr && LooksVolatile(target_.default_expr->text))) {
    hazards.push_back(Hazard::RewritesTable);
  }
  if (fails_on_rows) {
    // Only an empty table accepts a NOT NULL column without a default.
    hazards.push_back(Hazard::MayFailOnExistingRows);
    why += " (NOT NULL without a default: fails if the table has rows)";
  }
  Emit(Role::Create, Phase::Create, '+', why + "; added again",
       fmt::format("{} ADD COLUMN {};", AlterTable(table_.name), sqlgen::ColumnDefinition(target_)),
       hazards, false, true);
  ctx_.MarkRecreated(key_);
  Comment(true);
}

void ColumnDiffer::Retype() {
  TypeChange change = ClassifyTypeChange(live_->type, target_.type);
  std::vector<Hazard> hazards = {Hazard::AccessExclusiveLock};
  std::string what;
  if (live_->type != target_.type) {
    what = fmt::format("type {} -> {}", live_->type.ToSql(), target_.type.ToSql());
    if (change.lossy) {
      hazards.push_back(Hazard::DeletesData);
      what += " (lossy: " + change.reason + ")";
    }
    if (change.rewrites) hazards.push_back(Hazard::RewritesTable);
  } else {
    what = fmt::format("collation {} -> {}", live_->collation.value_or("default"),
                       target_.collation.value_or("default"));
    change.rewrites = false;
  }
  // Indexes on the column are rebuilt even without a rewrite when the collation changes.
  if (change.rewrites || live_->collation != target_.collation) {
    hazards.push_back(Hazard::IndexBuild);
  }
  std::string sql = fmt::format("{} TYPE {}", prefix_, target_.type.ToSql());
  if (target_.collation) sql += " COLLATE " + sqlgen::CollationSql(*target_.collation);
  sql += fmt::format(" USING {}{}::{};", QuoteIdent(target_.name), ViaText(*live_, target_),
                     target_.type.ToSql());
  Emit(Role::Create, Phase::Create, '~', what, sql, hazards);
}

void ColumnDiffer::Default(bool after_drop) {
  std::optional<std::string> from = after_drop ? std::nullopt : Text(live_->default_expr);
  std::optional<std::string> to = Text(target_.default_expr);
  // An identity column's default is its sequence; ADD GENERATED handles it.
  if (from == to) return;
  if (to) {
    Emit(Role::Create, Phase::Create, '~', "default set",
         fmt::format("{} SET DEFAULT {};", prefix_, sqlgen::DefaultExprSql(*to)), {});
  } else {
    Emit(Role::Create, Phase::Create, '~', "default dropped", prefix_ + " DROP DEFAULT;", {});
  }
}

void ColumnDiffer::Identity() {
  using model::IdentityKind;
  const char* kinds[] = {"", "ALWAYS", "BY DEFAULT"};
  if (live_->identity != IdentityKind::None && target_.identity != IdentityKind::None) {
    // One ALTER COLUMN takes both the kind (SET GENERATED) and the sequence options (SET ...);
    // a change of kind must not lose a change of options made in the same step.
    std::vector<std::string> sets;
    std::vector<std::string> what;
    if (live_->identity != target_.identity) {
      sets.push_back(fmt::format("SET GENERATED {}", kinds[static_cast<int>(target_.identity)]));
      what.push_back(fmt::format("identity now generated {}",
                                 kinds[static_cast<int>(target_.identity)]));
    }
    model::SequenceParams a = IdentityParams(*live_);
    model::SequenceParams b = IdentityParams(target_);
    if (a != b) {
      auto number = [&](int64_t x, int64_t y, const char* keyword) {
        if (x != y) sets.push_back(fmt::format("SET {} {}", keyword, y));
      };
      number(a.increment, b.increment, "INCREMENT BY");
      number(a.min_value, b.min_value, "MINVALUE");
      number(a.max_value, b.max_value, "MAXVALUE");
      number(a.start, b.start, "START WITH");
      number(a.cache, b.cache, "CACHE");
      if (a.cycle != b.cycle) sets.push_back(b.cycle ? "SET CYCLE" : "SET NO CYCLE");
      what.push_back("identity options changed");
    }
    if (sets.empty()) return;
    Emit(Role::Create, Phase::Create, '~', fmt::format("{}", fmt::join(what, ", ")),
         fmt::format("{} {};", prefix_, fmt::join(sets, " ")), {});
    return;
  }
  if (live_->identity == target_.identity) return;  // neither is an identity column
  if (target_.identity == IdentityKind::None) {
    Emit(Role::Create, Phase::Create, '~', "identity dropped (values stay)",
         prefix_ + " DROP IDENTITY;", {Hazard::AccessExclusiveLock});
    return;
  }
  const char* kind = kinds[static_cast<int>(target_.identity)];
  std::string options;
  if (target_.identity_params) {
    model::SequenceParams params = IdentityParams(target_);
    std::vector<std::string> list = sqlgen::SequenceOptions(params, /*include_type=*/false);
    if (!list.empty()) options = fmt::format(" ({})", fmt::join(list, " "));
  }
  Emit(Role::Create, Phase::Create, '~', fmt::format("identity added (generated {})", kind),
       fmt::format("{} ADD GENERATED {} AS IDENTITY{};", prefix_, kind, options),
       {Hazard::AccessExclusiveLock});
}

void ColumnDiffer::Comment(bool fresh) {
  EmitComment(ctx_, key_, {ObjectKind::Table, table_.name}, fresh ? nullptr : &live_->comment,
              target_.comment, [&] { return sqlgen::CommentOnColumn(table_, target_); },
              target_.loc);
}

void ColumnDiffer::Alter() {
  if (GeneratedColumnRecreated(*live_, target_) ||
      ctx_.recreations.recreate_generated.contains({table_.name, target_.name})) {
    Recreate();
    return;
  }
  if (live_->serial != target_.serial) {
    ctx_.Report({ObjectKind::Table, table_.name},
                fmt::format("column {}.{}: changing to or from serial is not supported (serial "
                            "only exists at creation); use an identity column",
                            Display(table_.name), target_.name),
                target_.loc);
  }
  const bool retyped = ColumnRetyped(*live_, target_);
  // Drop the default first when the type changes (ALTER TYPE would have to cast it) or when
  // something it calls is recreated underneath it.
  const bool reset =
      live_->default_expr &&
      (retyped || ctx_.recreations.reset_defaults.contains({table_.name, target_.name}));
  if (reset) {
    Emit(Role::Remove, Phase::Drop, '~', "default dropped for now", prefix_ + " DROP DEFAULT;", {},
         true);
  }
  if (live_->generated && !target_.generated) {
    Emit(Role::Create, Phase::Create, '~', "no longer generated (values stay)",
         prefix_ + " DROP EXPRESSION;", {Hazard::AccessExclusiveLock});
  }
  // An identity column takes no default and cannot lose its NOT NULL: drop the identity first.
  const bool identity_dropped =
      live_->identity != model::IdentityKind::None && target_.identity == model::IdentityKind::None;
  if (identity_dropped) Identity();
  if (retyped) Retype();
  // An identity column has no default of its own: one that stops being an identity loses it
  // (above) before it gets a default (SET DEFAULT fails on an identity column); one that becomes
  // an identity loses its default first (ADD GENERATED fails on a column with a default).
  Default(reset);
  if (live_->not_null != target_.not_null) {
    // ADD GENERATED ... AS IDENTITY needs the NOT NULL at once, not in the validate stage.
    const bool becomes_identity =
        live_->identity == model::IdentityKind::None && target_.identity != model::IdentityKind::None;
    if (target_.not_null && Online(ctx_, table_.name) && !becomes_identity) {
      // SET NOT NULL scans the table under ACCESS EXCLUSIVE, unless a validated CHECK (c IS NOT
      // NULL) proves it: add that check NOT VALID, validate it (writes go on), SET NOT NULL
      // (instant), drop the check.
      const std::string check = QuoteIdent(TempName(table_.name.name + "_" + target_.name, "_schemac_not_null"));
      const std::string alter = AlterTable(table_.name);
      // The steps belong to the check, not to the column: what uses the column (an index, a
      // foreign key) need not wait for the validate stage, and a check of the same name left by
      // an interrupted apply is dropped first.
      const Key check_key{KeyKind::Constraint, table_.name, TempName(table_.name.name + "_" + target_.name, "_schemac_not_null")};
      auto chain = [&](std::string what, std::string sql, std::vector<Hazard> hazards, bool validate = true) {
        return ctx_.Emit({.key = check_key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Column,
                          .object = {ObjectKind::Table, table_.name}, .action = '~',
                          .summary = fmt::format("column {}.{}: {}", Display(table_.name), target_.name, what),
                          .sql = std::move(sql), .hazards = std::move(hazards), .loc = target_.loc,
                          .validate = validate});
      };
      const size_t added = chain("not null: check added NOT VALID",
                                 fmt::format("{} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID;", alter, check,
                                             QuoteIdent(target_.name)),
                                 {Hazard::AccessExclusiveLock}, false);
      const size_t validated = chain("not null: check validated", fmt::format("{} VALIDATE CONSTRAINT {};", alter, check),
                                     {Hazard::ValidatesConstraint, Hazard::MayFailOnExistingRows});
      const size_t set = chain("not null (proven by the check: no scan)", prefix_ + " SET NOT NULL;",
                               {Hazard::AccessExclusiveLock});
      const size_t dropped = chain("not null: check dropped", fmt::format("{} DROP CONSTRAINT {};", alter, check),
                                   {Hazard::AccessExclusiveLock});
      // After every other step of the column (a type change, a default).
      for (size_t step : ctx_.builder.StepsOf(key_, Role::Create)) ctx_.builder.After(validated, step);
      ctx_.builder.After(validated, added);
      ctx_.builder.After(set, validated);
      ctx_.builder.After(dropped, set);
    } else if (target_.not_null) {
      Emit(Role::Create, Phase::Create, '~', "not null", prefix_ + " SET NOT NULL;",
           {Hazard::AccessExclusiveLock, Hazard::ValidatesConstraint,
            Hazard::MayFailOnExistingRows});
    } else {
      const size_t step = Emit(Role::Create, Phase::Create, '~', "nullable",
                               prefix_ + " DROP NOT NULL;", {Hazard::AccessExclusiveLock});
      // PostgreSQL refuses DROP NOT NULL on a column of the primary key ("column is in a primary
      // key"): it waits for the removal of a live primary key holding the column (when the plan
      // removes or replaces it; a withheld removal withholds this step too).
      if (const model::Table* live_table = ctx_.live_index->FindTable(table_.name)) {
        for (const model::Constraint& k : live_table->constraints) {
          if (k.kind != model::ConstraintKind::PrimaryKey ||
              std::find(k.columns.begin(), k.columns.end(), live_->name) == k.columns.end()) {
            continue;
          }
          ctx_.after_steps_of.emplace_back(step, Key{KeyKind::Constraint, table_.name, k.name},
                                           Role::Remove);
        }
      }
    }
  }
  if (!identity_dropped) Identity();
  Comment(false);
}

}  // namespace

bool ColumnRetyped(const model::Column& live, const model::Column& target) {
  return live.type != target.type || live.collation != target.collation;
}

bool ColumnCannotConvert(const Context& ctx, const model::Column& live,
                         const model::Column& target) {
  if (live.type == target.type || !ctx.options.has_cast || !ViaText(live, target).empty()) {
    return false;
  }
  return !ctx.options.has_cast(live.type, target.type);
}

bool GeneratedColumnRecreated(const model::Column& live, const model::Column& target) {
  return target.generated && (!live.generated || live.generated->text != target.generated->text);
}

void DiffColumns(Context& ctx, const model::Table& live, const model::Table& target) {
  // Inheritance (inherit_diff.cpp): the columns the table inherits, before and after.
  std::map<std::string, std::vector<QualifiedName>> live_inherited;
  std::map<std::string, std::vector<QualifiedName>> target_inherited;
  if (!live.inherits.empty()) live_inherited = InheritedColumns(*ctx.live_index, live);
  if (!target.inherits.empty()) target_inherited = InheritedColumns(*ctx.target_index, target);
  const model::ObjectId object{ObjectKind::Table, target.name};
  // Whether `column`, inherited in the live table, comes only from parents it stops inheriting
  // (so that NO INHERIT leaves it behind as a local column).
  auto unlinked_only = [&](const std::string& column) {
    for (const QualifiedName& parent : live.inherits) {
      if (!Contains(target.inherits, parent)) continue;
      const model::Table* p = ctx.live_index->FindTable(parent);
      if (p == nullptr) continue;
      if (ColumnNamed(*p, column) != nullptr ||
          InheritedColumns(*ctx.live_index, *p).contains(column)) {
        return false;
      }
    }
    return true;
  };
  // A step on `column` that must wait for the live parents declaring it to drop it.
  auto after_parents_drop = [&](size_t step, const std::string& column) {
    for (const QualifiedName& parent : live_inherited[column]) {
      ctx.after_steps_of.emplace_back(step, Key{KeyKind::Column, parent, column}, Role::Remove);
    }
    ctx.after_steps_of.emplace_back(step, InheritanceKey(target.name), Role::Create);
  };
  // A column added here reaches every table inheriting from this one: their own steps on a column
  // of that name (adding it as a local column, dropping it) come first.
  auto before_descendants = [&](size_t step, const std::string& column) {
    if (!AnyInheritance(ctx.target)) return;
    for (const QualifiedName& child : Descendants(ctx.target, target.name)) {
      for (Role role : {Role::Remove, Role::Create}) {
        ctx.after_steps_of.emplace_back(step, Key{KeyKind::Column, child, column}, role);
      }
    }
  };

  // PostgreSQL appends added columns; it cannot put them where the schema declares them.
  std::vector<std::string> kept;
  for (const model::Column& column : live.columns) {
    const model::Column* t = ColumnNamed(target, column.name);
    if (t != nullptr) kept.push_back(column.name);
  }
  size_t position = 0;
  // Added columns are added in the order the schema declares them.
  std::optional<size_t> previous_add;
  for (const model::Column& column : target.columns) {
    const model::Column* l = ColumnNamed(live, column.name);
    if (l != nullptr) {
      ++position;
      ColumnDiffer(ctx, target, l, column).Alter();
      continue;
    }
    if (auto inherited = live_inherited.find(column.name); inherited != live_inherited.end()) {
      if (target_inherited.contains(column.name)) {
        ctx.Report(object,
                   fmt::format("column {}.{} is inherited; declaring it in the table as well "
                               "(a local column) is not supported for an existing table",
                               Display(target.name), column.name),
                   column.loc);
        continue;
      }
      if (unlinked_only(column.name)) {
        // NO INHERIT leaves it as a local column: alter it from the parent's definition.
        const model::Table* parent = ctx.live_index->FindTable(inherited->second.front());
        const model::Column* from = parent ? ColumnNamed(*parent, column.name) : nullptr;
        if (from == nullptr) continue;
        const size_t first = ctx.builder.steps().size();
        ColumnDiffer(ctx, target, from, column).Alter();
        for (size_t step = first; step < ctx.builder.steps().size(); ++step) {
          ctx.after_steps_of.emplace_back(step, InheritanceKey(target.name), Role::Create);
        }
        continue;
      }
      // The parent drops it (and with it the inherited column): add it as the table's own.
      size_t step = ColumnDiffer(ctx, target, nullptr, column).Add("");
      after_parents_drop(step, column.name);
      ctx.builder.After(step, previous_add);
      previous_add = step;
      continue;
    }
    std::string note = position < kept.size() ? " at the end of the table" : "";
    size_t step = ColumnDiffer(ctx, target, nullptr, column).Add(note);
    ctx.builder.After(step, previous_add);
    previous_add = step;
    before_descendants(step, column.name);
  }
  auto drop = [&](const std::string& column, std::string why) {
    return ctx.Emit({.key = {KeyKind::Column, live.name, column}, .role = Role::Remove,
                     .phase = Phase::LateDrop, .rank = Rank::Column,
                     .object = {ObjectKind::Table, live.name}, .action = '-',
                     .summary = fmt::format("column {}.{}{} (its values are lost)",
                                            Display(live.name), column, why),
                     .sql = fmt::format("{} DROP COLUMN {};", AlterTable(live.name),
                                        QuoteIdent(column)),
                     .hazards = {Hazard::DeletesData, Hazard::AccessExclusiveLock}});
  };
  for (const model::Column& column : live.columns) {
    if (ColumnNamed(target, column.name) != nullptr) continue;
    if (live_inherited.contains(column.name)) {
      // Local and inherited (merged): only droppable once no parent has it any more.
      if (target_inherited.contains(column.name)) {
        ctx.Report(object,
                   fmt::format("column {}.{} is declared in the table and inherited; making it "
                               "inherited only is not supported",
                               Display(target.name), column.name),
                   target.loc);
        continue;
      }
      after_parents_drop(drop(column.name, ""), column.name);
      continue;
    }
    drop(column.name, "");
  }
  // Inherited columns that NO INHERIT leaves behind as local columns the target does not have.
  for (const auto& [column, parents] : live_inherited) {
    if (ColumnNamed(live, column) != nullptr || ColumnNamed(target, column) != nullptr) continue;
    if (target_inherited.contains(column) || !unlinked_only(column)) continue;
    after_parents_drop(drop(column, " (left behind by NO INHERIT)"), column);
  }
}

}  // namespace schemac::diff::internal
