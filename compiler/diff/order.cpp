// Ordering: the dependency edges between steps (Link), the --allow-drop gate (which steps must be
// withheld together), and a deterministic priority topological sort (PlanBuilder::Finish).
//
// How a withheld step is kept from being a prerequisite of a step that runs: the gate is closed
// under the edges. A step that must run after a gated step is gated too (a view recreated after a
// lossy column change; a type dropped after the column that used it), and a temporary removal is
// gated when what undoes it is (the view's DROP, when its CREATE waits for the gated change).
// The sort then takes every ungated step before any gated one, which is always possible because no
// ungated step waits for a gated one. So the ungated prefix is a complete plan of its own.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "compiler/diff/internal/context.h"

namespace schemac::diff::internal {

namespace {

std::optional<size_t> First(const std::vector<size_t>& steps) {
  if (steps.empty()) return std::nullopt;
  return steps.front();
}

std::optional<size_t> Last(const std::vector<size_t>& steps) {
  if (steps.empty()) return std::nullopt;
  return steps.back();
}

void Chain(PlanBuilder& builder, const std::vector<size_t>& steps) {
  for (size_t i = 1; i < steps.size(); ++i) builder.After(steps[i], steps[i - 1]);
}

// `provider` as the objects a user of it may need: a table stands for itself, the columns `user`
// mentions, and its primary key and unique constraints (a view grouping by the key may select the
// other columns).
std::vector<Key> Expand(const CatalogIndex& index, const Key& user, const Key& provider) {
  std::vector<Key> out{provider};
  if (provider.kind != KeyKind::Table) return out;
  const model::Table* table = index.FindTable(provider.name);
  if (table == nullptr) return out;
  // A `language sql` body is parsed and its names resolved when the routine is created (with
  // check_function_bodies on): the columns it mentions must exist first. (PostgreSQL records no
  // dependency for them, so they are not in the routine's deps or live uses.)
  const model::Function* body_routine = nullptr;
  if (user.kind == KeyKind::Routine) {
    const model::Function* f = index.FindRoutine(user.name);
    if (f != nullptr && f->language == "sql") body_routine = f;
  }
  for (const model::Column& column : table->columns) {
    if (UsesColumn(index, user, table->name, column.name) ||
        (body_routine != nullptr && Mentions(body_routine->body.text, column.name))) {
      out.push_back({KeyKind::Column, table->name, column.name});
    }
  }
  if (user.kind == KeyKind::View || user.kind == KeyKind::Routine) {
    for (const model::Constraint& c : table->constraints) {
      if (c.kind == model::ConstraintKind::PrimaryKey || c.kind == model::ConstraintKind::Unique) {
        out.push_back({KeyKind::Constraint, table->name, c.name});
      }
    }
  }
  return out;
}

// What `key` uses in `index`. A table created (or dropped) as a whole by this plan also uses
// what its columns and constraints without steps of their own (with `role`) use.
std::vector<Key> UsesOf(const Context& ctx, const CatalogIndex& index, const Key& key, bool whole,
                        Role role) {
  std::vector<Key> uses = index.Uses(key);
  if (key.kind != KeyKind::Table || !whole) return uses;
  const model::Table* table = index.FindTable(key.name);
  if (table == nullptr) return uses;
  std::vector<Key> parts;
  for (const model::Column& c : table->columns) {
    parts.push_back({KeyKind::Column, key.name, c.name});
  }
  for (const model::Constraint& c : table->constraints) {
    Key part{KeyKind::Constraint, key.name, c.name};
    if (ctx.builder.StepsOf(part, role).empty()) parts.push_back(part);
  }
  for (const Key& part : parts) {
    for (const Key& used : index.Uses(part)) {
      if (index.TableOf(used) != key.name) uses.push_back(used);
    }
  }
  return uses;
}

// The partitions of `table` in `catalog`, and theirs (sub-partitioning), in catalog order.
std::vector<QualifiedName> PartitionsOf(const model::Catalog& catalog, const QualifiedName& table) {
  std::vector<QualifiedName> out;
  std::set<QualifiedName> parents{table};
  for (bool more = true; more;) {
    more = false;
    for (const model::Table& t : catalog.tables) {
      if (t.partition_of && parents.contains(*t.partition_of) && parents.insert(t.name).second) {
        out.push_back(t.name);
        more = true;
      }
    }
  }
  return out;
}

// Whether `table` is the parent of the table `key`, or a parent of its parent (a partition uses
// its parent; its siblings are not its providers).
bool IsAncestor(const CatalogIndex& index, const QualifiedName& table, const Key& key) {
  if (key.kind != KeyKind::Table) return false;
  std::set<QualifiedName> seen;
  for (const model::Table* t = index.FindTable(key.name);
       t != nullptr && t->partition_of && seen.insert(t->name).second;
       t = index.FindTable(*t->partition_of)) {
    if (*t->partition_of == table) return true;
  }
  return false;
}

bool CreatesObject(const PlanBuilder& builder, const std::vector<size_t>& steps) {
  return std::any_of(steps.begin(), steps.end(),
                     [&](size_t s) { return builder.steps()[s].creates_object; });
}

void LinkKey(Context& ctx, const Key& key) {
  PlanBuilder& b = ctx.builder;
  const std::vector<size_t>& renames = b.StepsOf(key, Role::Rename);
  const std::vector<size_t>& removes = b.StepsOf(key, Role::Remove);
  const std::vector<size_t>& creates = b.StepsOf(key, Role::Create);
  const std::vector<size_t>& decorations = b.StepsOf(key, Role::Decorate);
  // Per key: renames, then removals, then creates and alters, each in the order emitted.
  Chain(b, renames);
  Chain(b, removes);
  Chain(b, creates);
  b.After(First(removes), Last(renames));
  b.After(First(creates), Last(removes));
  if (removes.empty()) b.After(First(creates), Last(renames));
  // Decorations need the object under its target name. A column or constraint created inside
  // CREATE TABLE has no creating step of its own: its decorations wait for the table's.
  std::vector<const std::vector<size_t>*> creators = {&creates};
  if (key.kind == KeyKind::Column || key.kind == KeyKind::Constraint) {
    creators.push_back(&b.StepsOf({KeyKind::Table, key.name, ""}, Role::Create));
  }
  for (size_t d : decorations) {
    b.After(d, Last(renames));
    for (const std::vector<size_t>* list : creators) {
      for (size_t c : *list) {
        if (b.steps()[c].creates_object) b.After(d, c);
      }
    }
  }

  // Target dependencies: what this object's creates and alters use is created first.
  if (!creates.empty()) {
    for (const Key& used :
         UsesOf(ctx, *ctx.target_index, key, CreatesObject(b, creates), Role::Create)) {
      for (const Key& provider : Expand(*ctx.target_index, key, used)) {
        if (provider == key) continue;
        const std::vector<size_t>& provider_creates = b.StepsOf(provider, Role::Create);
        b.After(First(creates), Last(provider_creates));
        b.After(First(creates), Last(b.StepsOf(provider, Role::Rename)));
      }
    }
  }
  // Live dependencies: a user is removed before what it uses, and an object that stops using
  // something removed for good is altered before that removal.
  if (removes.empty() && creates.empty()) return;
  const bool dropped_whole = std::any_of(removes.begin(), removes.end(),
                                         [&](size_t s) { return !b.steps()[s].temporary; });
  for (const Key& used : UsesOf(ctx, *ctx.live_index, key, dropped_whole, Role::Remove)) {
    std::vector<Key> providers = Expand(*ctx.live_index, key, used);
    // What uses a partitioned table uses its partitions too (a foreign key referencing it
    // depends on each of them): they are removed after it as well.
    if (used.kind == KeyKind::Table && !IsAncestor(*ctx.live_index, used.name, key)) {
      for (const QualifiedName& partition : PartitionsOf(ctx.live(), used.name)) {
        providers.push_back({KeyKind::Table, partition, ""});
      }
    }
    for (const Key& provider : providers) {
      if (provider == key) continue;
      const std::vector<size_t>& provider_removes = b.StepsOf(provider, Role::Remove);
      if (provider_removes.empty()) continue;
      b.After(First(provider_removes), Last(removes));
      // An object dropped and created again has let go of the provider with its drop; its
      // create may need what takes the provider's name (a view replacing a dropped table).
      if (b.StepsOf(provider, Role::Create).empty() && !ctx.Recreated(key)) {
        b.After(First(provider_removes), Last(creates));
      }
    }
  }
}

// PostgreSQL's name spaces: relations (tables, views, sequences, indexes, and the indexes behind
// primary key, unique and exclusion constraints) and types (types, and the row types of tables
// and views). A create or rename into a name waits for the removal of whatever holds it.
enum class Space { Relation, Type };

std::vector<std::pair<Space, QualifiedName>> NamesTaken(const CatalogIndex& index, const Key& key) {
  switch (key.kind) {
    case KeyKind::Table:
    case KeyKind::View: return {{Space::Relation, key.name}, {Space::Type, key.name}};
    case KeyKind::Sequence:
    case KeyKind::Index: return {{Space::Relation, key.name}};
    case KeyKind::Type: return {{Space::Type, key.name}};
    case KeyKind::Constraint: {
      const model::Constraint* c = index.FindConstraint(key.name, key.sub);
      if (c == nullptr || c->kind == model::ConstraintKind::Check ||
          c->kind == model::ConstraintKind::ForeignKey) {
        return {};
      }
      return {{Space::Relation, {key.name.schema, key.sub}}};
    }
    default: return {};
  }
}

void LinkNames(Context& ctx) {
  PlanBuilder& b = ctx.builder;
  std::map<std::pair<Space, QualifiedName>, std::vector<Key>> holders;
  for (const Key& key : b.Keys()) {
    if (b.StepsOf(key, Role::Remove).empty()) continue;
    for (const auto& name : NamesTaken(*ctx.live_index, key)) holders[name].push_back(key);
  }
  if (holders.empty()) return;
  for (size_t s = 0; s < b.steps().size(); ++s) {
    const PendingStep& step = b.steps()[s];
    if (!step.creates_object && step.role != Role::Rename) continue;
    for (const auto& name : NamesTaken(*ctx.target_index, step.key)) {
      auto it = holders.find(name);
      if (it == holders.end()) continue;
      for (const Key& holder : it->second) {
        if (holder != step.key) b.After(s, Last(b.StepsOf(holder, Role::Remove)));
      }
    }
  }
}

// Whether a step on `key` names the object a rename step on `renamed` renames, by its new name.
bool RefersTo(const Context& ctx, const Key& key, const Key& renamed) {
  if (key == renamed) return false;  // same key: LinkKey orders it
  switch (renamed.kind) {
    case KeyKind::Schema: return key.name.schema == renamed.name.name;
    case KeyKind::Table:
    case KeyKind::View:
    case KeyKind::Sequence: {
      if (key.name == renamed.name) return true;
      std::optional<QualifiedName> table = ctx.live_index->TableOf(key);
      if (!table) table = ctx.target_index->TableOf(key);
      return table == renamed.name;
    }
    case KeyKind::Type: {
      if (key.kind == KeyKind::Routine) return Mentions(key.name.name, renamed.name.name);
      if (key.kind != KeyKind::Column) return false;
      for (const CatalogIndex* index : {ctx.live_index.get(), ctx.target_index.get()}) {
        const model::Column* c = index->FindColumn(key.name, key.sub);
        if (c != nullptr && c->type.schema == renamed.name.schema &&
            c->type.name == renamed.name.name) {
          return true;
        }
      }
      return false;
    }
    case KeyKind::Column: return key.kind != KeyKind::Column && key.name == renamed.name;
    default: return false;
  }
}

void LinkRenames(Context& ctx) {
  PlanBuilder& b = ctx.builder;
  std::vector<size_t> renames;
  for (size_t s = 0; s < b.steps().size(); ++s) {
    if (b.steps()[s].role == Role::Rename) renames.push_back(s);
  }
  for (size_t r : renames) {
    const Key renamed = b.steps()[r].key;
    for (size_t s = 0; s < b.steps().size(); ++s) {
      const PendingStep& step = b.steps()[s];
      if (step.role == Role::Rename && step.key.kind == renamed.kind) continue;
      // A column rename names its table by the table's new name: the table's own rename (or
      // move) comes first, never after it.
      if (step.role == Role::Rename && renamed.kind == KeyKind::Column &&
          step.key.kind == KeyKind::Table) {
        continue;
      }
      if (RefersTo(ctx, step.key, renamed)) b.After(s, r);
    }
  }
}

// Objects in a new schema come after its CREATE SCHEMA; a schema is dropped after everything in it.
void LinkSchemas(Context& ctx) {
  PlanBuilder& b = ctx.builder;
  std::map<std::string, std::pair<std::optional<size_t>, std::optional<size_t>>> schemas;
  for (const Key& key : b.Keys()) {
    if (key.kind != KeyKind::Schema) continue;
    schemas[key.name.name] = {Last(b.StepsOf(key, Role::Create)),
                              First(b.StepsOf(key, Role::Remove))};
  }
  if (schemas.empty()) return;
  for (size_t s = 0; s < b.steps().size(); ++s) {
    const PendingStep& step = b.steps()[s];
    if (step.key.kind == KeyKind::Schema || step.key.kind == KeyKind::Extension) continue;
    auto it = schemas.find(step.key.name.schema);
    if (it == schemas.end()) continue;
    if (step.role == Role::Remove) b.After(it->second.second, s);
    if (step.creates_object || step.role == Role::Rename) b.After(s, it->second.first);
  }
}

// An extension is dropped after every other removal: what uses it (types, operator classes,
// functions in column defaults and indexes) is not always known from the live model, and DROP
// EXTENSION fails while anything still does. Schemas are dropped after extensions (one may live in
// them).
void LinkExtensions(Context& ctx) {
  PlanBuilder& b = ctx.builder;
  std::vector<size_t> extension_drops;
  std::vector<size_t> schema_drops;
  std::vector<size_t> other_drops;
  for (size_t s = 0; s < b.steps().size(); ++s) {
    const PendingStep& step = b.steps()[s];
    if (step.role != Role::Remove) continue;
    if (step.key.kind == KeyKind::Extension) {
      extension_drops.push_back(s);
    } else if (step.key.kind == KeyKind::Schema) {
      schema_drops.push_back(s);
    } else {
      other_drops.push_back(s);
    }
  }
  for (size_t e : extension_drops) {
    for (size_t s : other_drops) b.After(e, s);
    for (size_t s : schema_drops) b.After(s, e);
  }
}

// ALTER COLUMN ... TYPE fails while a view, rule, routine, trigger or policy uses the column
// ("cannot alter type of a column used by a view or rule"): the removal of each such user
// (dependents.cpp decides which are dropped) comes before the column's change, also when the
// removal runs late (a materialized view's drop, withheld with it behind --allow-drop).
void LinkRetypes(Context& ctx) {
  PlanBuilder& b = ctx.builder;
  for (const Key& key : b.Keys()) {
    if (key.kind != KeyKind::Column) continue;
    const std::vector<size_t>& creates = b.StepsOf(key, Role::Create);
    if (creates.empty()) continue;
    const model::Column* live = ctx.live_index->FindColumn(key.name, key.sub);
    const model::Column* target = ctx.target_index->FindColumn(key.name, key.sub);
    if (live == nullptr || target == nullptr || !ColumnRetyped(*live, *target)) continue;
    std::vector<Key> users = ctx.live_index->UsedBy({KeyKind::Table, key.name, ""});
    const std::vector<Key>& column_users = ctx.live_index->UsedBy(key);
    users.insert(users.end(), column_users.begin(), column_users.end());
    for (const Key& user : users) {
      if (user.kind != KeyKind::View && user.kind != KeyKind::Routine &&
          user.kind != KeyKind::Trigger && user.kind != KeyKind::Policy) {
        continue;
      }
      if (!UsesColumn(*ctx.live_index, user, key.name, key.sub)) continue;
      for (size_t removal : b.StepsOf(user, Role::Remove)) {
        for (size_t c : creates) b.After(c, removal);
      }
    }
  }
}

}  // namespace

void Link(Context& ctx) {
  for (const Key& key : ctx.builder.Keys()) LinkKey(ctx, key);
  LinkRetypes(ctx);
  LinkSchemas(ctx);
  LinkExtensions(ctx);
  for (const auto& [key, role, step] : ctx.before_steps_of) {
    for (size_t s : ctx.builder.StepsOf(key, role)) ctx.builder.After(s, step);
  }
  for (const auto& [step, key, role] : ctx.after_steps_of) {
    for (size_t s : ctx.builder.StepsOf(key, role)) ctx.builder.After(step, s);
  }
  LinkNames(ctx);
  LinkRenames(ctx);
}

namespace {

// Closes the gate: `gated[i]` for every destructive step, every step after a gated one, and every
// temporary removal whose undoing create is gated. `tie[i]` is the destructive step responsible.
void CloseGate(const std::vector<PendingStep>& steps, std::vector<bool>& gated,
               std::vector<size_t>& tie) {
  const size_t n = steps.size();
  std::vector<std::vector<size_t>> successors(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t e : steps[i].after) successors[e].push_back(i);
    for (size_t partner : steps[i].gate_with) successors[partner].push_back(i);
  }
  std::vector<size_t> work;
  for (size_t i = 0; i < n; ++i) {
    if (steps[i].step.destructive) {
      gated[i] = true;
      tie[i] = i;
      work.push_back(i);
    }
  }
  std::map<Key, std::vector<size_t>> temporary_removes;
  for (size_t i = 0; i < n; ++i) {
    if (steps[i].temporary) temporary_removes[steps[i].key].push_back(i);
  }
  auto gate = [&](size_t i, size_t cause) {
    if (gated[i]) return;
    gated[i] = true;
    tie[i] = tie[cause];
    work.push_back(i);
  };
  while (!work.empty()) {
    size_t i = work.back();
    work.pop_back();
    for (size_t next : successors[i]) gate(next, i);
    if (steps[i].role == Role::Create) {
      auto it = temporary_removes.find(steps[i].key);
      if (it != temporary_removes.end()) {
        for (size_t removal : it->second) gate(removal, i);
      }
    }
  }
}

}  // namespace

Plan PlanBuilder::Finish() {
  const size_t n = steps_.size();
  std::vector<bool> gated(n, false);
  std::vector<size_t> tie(n, 0);
  CloseGate(steps_, gated, tie);

  auto less = [this, &gated](size_t a, size_t b) {
    const PendingStep& x = steps_[a];
    const PendingStep& y = steps_[b];
    const bool ga = gated[a];
    const bool gb = gated[b];
    // The validate stage after everything else that is not withheld.
    const bool va = x.step.validate;
    const bool vb = y.step.validate;
    return std::tie(ga, va, x.phase, x.rank, x.key.name, x.key.sub, x.key.kind, a) <
           std::tie(gb, vb, y.phase, y.rank, y.key.name, y.key.sub, y.key.kind, b);
  };
  std::vector<size_t> waiting(n, 0);
  std::vector<std::vector<size_t>> successors(n);
  for (size_t i = 0; i < n; ++i) {
    std::set<size_t> unique(steps_[i].after.begin(), steps_[i].after.end());
    unique.erase(i);
    waiting[i] = unique.size();
    for (size_t e : unique) successors[e].push_back(i);
  }
  std::set<size_t, decltype(less)> ready(less);
  std::set<size_t, decltype(less)> remaining(less);
  for (size_t i = 0; i < n; ++i) {
    remaining.insert(i);
    if (waiting[i] == 0) ready.insert(i);
  }
  std::vector<size_t> order;
  std::vector<bool> placed(n, false);
  while (!remaining.empty()) {
    size_t pick = 0;
    if (!ready.empty()) {
      pick = *ready.begin();
    } else {
      // A dependency cycle: take the first remaining step and say so.
      pick = *remaining.begin();
      Report(steps_[pick].step.object,
             "dependency cycle: this step was ordered before steps it may depend on; review the "
             "plan's order",
             steps_[pick].step.loc);
    }
    ready.erase(pick);
    remaining.erase(pick);
    placed[pick] = true;
    order.push_back(pick);
    for (size_t next : successors[pick]) {
      if (--waiting[next] == 0 && !placed[next]) ready.insert(next);
    }
  }

  std::vector<size_t> position(n);
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  Plan plan;
  for (size_t i : order) {
    Step step = steps_[i].step;
    step.requires_allow_drop = gated[i];
    if (gated[i] && !step.destructive) step.tied_to = position[tie[i]];
    plan.steps.push_back(std::move(step));
  }
  plan.unsupported = unsupported_;
  std::stable_sort(plan.unsupported.begin(), plan.unsupported.end(),
                   [](const Unsupported& a, const Unsupported& b) {
                     return std::tie(a.object, a.message) < std::tie(b.object, b.message);
                   });
  return plan;
}

}  // namespace schemac::diff::internal
