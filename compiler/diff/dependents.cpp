// Dependents: which objects must be dropped and created again because something they depend on is
// recreated, removed or retyped, although their own definition may be unchanged.
//
// PostgreSQL refuses (without CASCADE, which a plan never uses) to
// - drop a view, function, type or key that other objects depend on (views, functions with
//   SQL-standard bodies, triggers, policies, expression indexes, checks, defaults, foreign keys);
// - ALTER COLUMN ... TYPE a column that a view, rule, policy, trigger definition or generated
//   column uses ("cannot alter type of a column used by a view or rule").
// So those dependents are dropped before and created after the change, transitively (a view on a
// recreated view is recreated too). Indexes and constraints on a retyped column are rebuilt by
// PostgreSQL itself, except when the type itself is recreated (their stored definitions name the
// old type). Live dependencies come from the live model's deps and from the names its embedded SQL
// mentions (CatalogIndex::Uses); the runtime's canonical texts qualify every name.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>

#include "compiler/diff/internal/context.h"

namespace schemac::diff::internal {

namespace {

// Something that changes under its dependents.
struct Root {
  enum class Kind { Gone, ColumnRetyped, ColumnRecreated } kind = Kind::Gone;
  Key key;  // Gone: the object; columns: the column key
  std::string reason;
  bool type_recreated = false;  // ColumnRetyped because its type is dropped and created again
};

bool SameType(const model::TypeName& type, const QualifiedName& name) {
  return !type.IsBuiltin() && type.schema == name.schema && type.name == name.name;
}

class Decider {
 public:
  explicit Decider(Context& ctx) : ctx_(ctx), live_(*ctx.live_index), target_(*ctx.target_index) {}

  void Run();

 private:
  void Roots();
  void TypeRoots();
  void TableRoots();
  void Expand(const Root& root);
  void Recreate(const Key& user, const std::string& reason);
  bool InTarget(const Key& key) const;

  Context& ctx_;
  const CatalogIndex& live_;
  const CatalogIndex& target_;
  std::deque<Root> work_;
};

bool Decider::InTarget(const Key& key) const {
  switch (key.kind) {
    case KeyKind::View: return target_.FindView(key.name) != nullptr;
    case KeyKind::Routine: return target_.FindRoutine(key.name) != nullptr;
    case KeyKind::Trigger: return target_.FindTrigger(key.name, key.sub) != nullptr;
    case KeyKind::Policy: return target_.FindPolicy(key.name, key.sub) != nullptr;
    case KeyKind::Index: return target_.FindIndex(key.name) != nullptr;
    case KeyKind::Constraint: return target_.FindConstraint(key.name, key.sub) != nullptr;
    default: return false;
  }
}

void Decider::Recreate(const Key& user, const std::string& reason) {
  if (!InTarget(user) || ctx_.recreations.keys.contains(user)) return;
  ctx_.recreations.keys.insert(user);
  ctx_.recreations.reasons[user] = reason;
  if (user.kind == KeyKind::View || user.kind == KeyKind::Routine ||
      user.kind == KeyKind::Index || user.kind == KeyKind::Constraint) {
    work_.push_back({Root::Kind::Gone, user, fmt::format("{} is recreated", Display(user))});
  }
}

void Decider::Roots() {
  TableRoots();
  // Columns whose type changes, and generated columns that are dropped and added again.
  for (const model::Table& live : ctx_.live().tables) {
    const model::Table* target = target_.FindTable(live.name);
    if (target == nullptr) continue;
    for (const model::Column& lc : live.columns) {
      const model::Column* tc = ColumnNamed(*target, lc.name);
      if (tc == nullptr) continue;
      Key key{KeyKind::Column, live.name, lc.name};
      if (GeneratedColumnRecreated(lc, *tc) || ColumnCannotConvert(ctx_, lc, *tc)) {
        ctx_.recreations.recreate_generated.insert({live.name, lc.name});
        work_.push_back({Root::Kind::ColumnRecreated, key,
                         fmt::format("column {} is dropped and added again", Display(key))});
      } else if (ColumnRetyped(lc, *tc)) {
        work_.push_back({Root::Kind::ColumnRetyped, key,
                         fmt::format("column {} changes type", Display(key))});
      }
    }
  }
  // Objects dropped for good or dropped and created again.
  for (const model::View& v : ctx_.live().views) {
    const model::View* t = target_.FindView(v.name);
    if (t == nullptr || ViewChanged(v, *t)) {
      work_.push_back({Root::Kind::Gone, {KeyKind::View, v.name, ""},
                       fmt::format("view {} is {}", Display(v.name), t ? "recreated" : "dropped")});
    }
  }
  for (const model::Function& f : ctx_.live().functions) {
    Key key = RoutineKey(f);
    const model::Function* t = target_.FindRoutine(key.name);
    if (t == nullptr || RoutineNeedsDrop(f, *t)) {
      work_.push_back({Root::Kind::Gone, key,
                       fmt::format("{} is {}", Display(key), t ? "recreated" : "dropped")});
    }
  }
  for (const model::Table& live : ctx_.live().tables) {
    const model::Table* target = target_.FindTable(live.name);
    if (target == nullptr) continue;
    for (const model::Constraint& k : live.constraints) {
      if (k.kind == model::ConstraintKind::ForeignKey || k.kind == model::ConstraintKind::Check) {
        continue;
      }
      const model::Constraint* t = ConstraintNamed(*target, k.name);
      if (t == nullptr || ConstraintChanged(k, *t)) {
        work_.push_back({Root::Kind::Gone, {KeyKind::Constraint, live.name, k.name},
                         fmt::format("key {} of {} is {}", k.name, Display(live.name),
                                     t ? "recreated" : "dropped")});
      }
    }
  }
  for (const model::Index& i : ctx_.live().indexes) {
    const model::Index* t = target_.FindIndex(IndexName(i));
    if (!i.unique) continue;
    if (t == nullptr || IndexChanged(i, *t)) {
      work_.push_back({Root::Kind::Gone, {KeyKind::Index, IndexName(i), ""},
                       fmt::format("index {} is {}", Display(IndexName(i)),
                                   t ? "recreated" : "dropped")});
    }
  }
  TypeRoots();
}

// Tables dropped for good, and tables dropped and created again: what uses them and stays must be
// dropped before and created after (a view over a dropped table that the target keeps, reading a
// view of the same name; views, policies, triggers, indexes and foreign keys of a recreated
// table). A table is recreated when its partitioning changes; a partition is recreated with its
// parent, and when it leaves its parent: DETACH PARTITION would leave the parent's indexes,
// constraints and column defaults behind on it as its own, which neither model describes.
void Decider::TableRoots() {
  std::map<QualifiedName, std::string>& tables = ctx_.recreations.tables;
  for (const model::Table& live : ctx_.live().tables) {
    const model::Table* target = target_.FindTable(live.name);
    if (target == nullptr || !PartitioningChanged(live, *target)) continue;
    tables[live.name] = !target->partition_strategy ? "it is no longer partitioned"
                        : !live.partition_strategy  ? "it becomes partitioned"
                                                    : "its partition strategy or key changes";
  }
  for (bool more = true; more;) {
    more = false;
    for (const model::Table& live : ctx_.live().tables) {
      const model::Table* target = target_.FindTable(live.name);
      if (target == nullptr || !live.partition_of || tables.contains(live.name)) continue;
      std::string reason;
      if (!target->partition_of) {
        reason = fmt::format("it is no longer a partition of {}", Display(*live.partition_of));
      } else if (*target->partition_of != *live.partition_of) {
        reason = fmt::format("it moves from {} to {}", Display(*live.partition_of),
                             Display(*target->partition_of));
      } else if (tables.contains(*live.partition_of)) {
        reason = fmt::format("its parent {} is recreated", Display(*live.partition_of));
      } else {
        continue;
      }
      tables[live.name] = reason;
      more = true;
    }
  }
  // ATTACH PARTITION adopts an index of the table that matches an index of the parent as the
  // partition's part of it (so it disappears as an index of its own): such an index is dropped
  // before and created after the ATTACH (which builds the parent's part under another name).
  for (const model::Table& live : ctx_.live().tables) {
    const model::Table* target = target_.FindTable(live.name);
    if (live.partition_of || target == nullptr || !target->partition_of) continue;
    for (const model::Index& index : ctx_.live().indexes) {
      if (index.table != live.name) continue;
      model::Index on_parent = index;
      on_parent.table = *target->partition_of;
      on_parent.name.schema = target->partition_of->schema;
      for (const model::Index& parent_index : ctx_.target.indexes) {
        if (parent_index.table == *target->partition_of &&
            IndexDefinition(parent_index) == IndexDefinition(on_parent)) {
          Recreate({KeyKind::Index, IndexName(index), ""},
                   fmt::format("ATTACH PARTITION would adopt it as the part of index {}",
                               Display(IndexName(parent_index))));
          break;
        }
      }
    }
  }
  for (const model::Table& live : ctx_.live().tables) {
    bool dropped = target_.FindTable(live.name) == nullptr;
    if (!dropped && !tables.contains(live.name)) continue;
    work_.push_back({Root::Kind::Gone, {KeyKind::Table, live.name, ""},
                     fmt::format("table {} is {}", Display(live.name),
                                 dropped ? "dropped" : "recreated")});
  }
}

void Decider::TypeRoots() {
  std::vector<QualifiedName> recreated;
  for (const model::Enum& e : ctx_.live().enums) {
    const model::Enum* t = target_.FindEnum(e.name);
    if (t != nullptr && EnumNeedsRecreate(e, *t)) recreated.push_back(e.name);
  }
  for (const model::Domain& d : ctx_.live().domains) {
    const model::Domain* t = target_.FindDomain(d.name);
    if (t != nullptr && DomainNeedsRecreate(d, *t)) recreated.push_back(d.name);
  }
  for (const QualifiedName& type : recreated) {
    const std::string reason = fmt::format("type {} is recreated", Display(type));
    work_.push_back({Root::Kind::Gone, {KeyKind::Type, type, ""}, reason});
    // Columns that keep the type are converted to the new one (type_diff.cpp); their defaults
    // hold casts to the old type and are set again afterwards.
    for (const model::Table& table : ctx_.live().tables) {
      for (const model::Column& column : table.columns) {
        if (!SameType(column.type, type)) continue;
        const model::Column* tc = target_.FindColumn(table.name, column.name);
        if (tc == nullptr || !SameType(tc->type, type)) continue;
        if (column.default_expr) ctx_.recreations.reset_defaults.insert({table.name, column.name});
        work_.push_back({Root::Kind::ColumnRetyped, {KeyKind::Column, table.name, column.name},
                         reason, true});
      }
    }
  }
}

void Decider::Expand(const Root& root) {
  if (root.kind == Root::Kind::Gone) {
    for (const Key& user : live_.UsedBy(root.key)) {
      if (user.kind == KeyKind::Column) {
        // Columns of a recreated type are converted by type_diff.cpp (TypeRoots); the columns of
        // a dropped or recreated table go with it.
        if (root.key.kind == KeyKind::Type) continue;
        if (root.key.kind == KeyKind::Table && user.name == root.key.name) continue;
        // A default or generated expression that calls a recreated function (or reads a
        // recreated sequence) must let go of it first.
        const model::Column* c = live_.FindColumn(user.name, user.sub);
        const model::Column* tc = target_.FindColumn(user.name, user.sub);
        if (c == nullptr || tc == nullptr) continue;
        if (c->generated) {
          if (ctx_.recreations.recreate_generated.insert({user.name, user.sub}).second) {
            work_.push_back({Root::Kind::ColumnRecreated, user, root.reason});
          }
        } else if (c->default_expr) {
          ctx_.recreations.reset_defaults.insert({user.name, user.sub});
        }
        continue;
      }
      if (user.kind == KeyKind::Type) {
        const model::Domain* d = live_.FindDomain(user.name);
        const model::CompositeType* c = live_.FindComposite(user.name);
        if ((d == nullptr || target_.FindDomain(user.name) == nullptr) &&
            (c == nullptr || target_.FindComposite(user.name) == nullptr)) {
          continue;
        }
        ctx_.Report(ObjectOf(user),
                    fmt::format("type {} uses {} ({}); recreating it underneath a domain or "
                                "composite type is not supported: the plan's DROP will fail",
                                Display(user), Display(root.key), root.reason),
                    base::Loc{});
        continue;
      }
      if (user.kind == KeyKind::Table || user.kind == KeyKind::Sequence) continue;
      Recreate(user, root.reason);
    }
    return;
  }
  // A column that changes type or is dropped and added again.
  const QualifiedName& table = root.key.name;
  const std::string& column = root.key.sub;
  std::vector<Key> users = live_.UsedBy({KeyKind::Table, table, ""});
  const std::vector<Key>& column_users = live_.UsedBy(root.key);
  users.insert(users.end(), column_users.begin(), column_users.end());
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  for (const Key& user : users) {
    if (user == root.key || !UsesColumn(live_, user, table, column)) continue;
    switch (user.kind) {
      case KeyKind::Column:
        // A generated column computed from this one.
        if (const model::Column* c = live_.FindColumn(user.name, user.sub); c && c->generated &&
            target_.FindColumn(user.name, user.sub) != nullptr &&
            ctx_.recreations.recreate_generated.insert({user.name, user.sub}).second) {
          work_.push_back({Root::Kind::ColumnRecreated, user, root.reason});
        }
        break;
      case KeyKind::Index:
      case KeyKind::Constraint:
        // ALTER COLUMN TYPE rebuilds these from their definitions; DROP COLUMN drops them, and
        // a recreated type leaves their definitions naming the old one.
        if (root.kind == Root::Kind::ColumnRecreated || root.type_recreated) {
          Recreate(user, root.reason);
        }
        break;
      case KeyKind::View:
      case KeyKind::Routine:
      case KeyKind::Trigger:
      case KeyKind::Policy: Recreate(user, root.reason); break;
      default: break;
    }
  }
}

void Decider::Run() {
  Roots();
  while (!work_.empty()) {
    Root root = work_.front();
    work_.pop_front();
    Expand(root);
  }
}

}  // namespace

void Decide(Context& ctx) { Decider(ctx).Run(); }

}  // namespace schemac::diff::internal
