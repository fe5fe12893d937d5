// Dependency ordering for CreateAll: a priority topological sort over the catalog's objects.
#include "compiler/sqlgen/order.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

namespace schemac::sqlgen {

namespace {

using model::ObjectKind;
using model::QualifiedName;

// One object to place. `hard` dependencies must come first. `soft` ones (foreign keys) should come
// first, but are dropped when they form a cycle.
struct Node {
  int rank = 0;  // grouping by kind; lower ranks go first when the dependencies allow
  QualifiedName primary;
  std::string secondary;
  Step step;
  std::vector<size_t> hard;
  std::vector<size_t> soft;
};

// Whether `start` can reach itself through the dependencies (hard or soft) of nodes not yet placed.
bool OnCycle(const std::vector<Node>& nodes, const std::vector<bool>& placed, size_t start) {
  std::vector<bool> seen(nodes.size(), false);
  std::vector<size_t> stack;
  auto push_deps = [&](size_t n) {
    for (const std::vector<size_t>* deps : {&nodes[n].hard, &nodes[n].soft}) {
      for (size_t d : *deps) {
        if (d == start) return true;
        if (!placed[d] && !seen[d]) {
          seen[d] = true;
          stack.push_back(d);
        }
      }
    }
    return false;
  };
  if (push_deps(start)) return false;  // a direct self-reference is not a cycle to break
  while (!stack.empty()) {
    const size_t n = stack.back();
    stack.pop_back();
    if (push_deps(n)) return true;
  }
  return false;
}

// Kahn's algorithm with a priority queue ordered by (rank, primary, secondary). When nothing is
// ready, or only nodes of a later rank are, the smallest node whose hard dependencies are met is
// taken anyway (that drops its soft edges, so a foreign key cycle is broken before moving on to
// the next group); when even that fails (a cycle of hard dependencies), the smallest remaining
// node is taken. Each step takes one node, so the loop always ends.
std::vector<size_t> PriorityTopologicalOrder(const std::vector<Node>& nodes) {
  size_t count = nodes.size();
  auto less = [&nodes](size_t a, size_t b) {
    return std::tie(nodes[a].rank, nodes[a].primary, nodes[a].secondary, a) <
           std::tie(nodes[b].rank, nodes[b].primary, nodes[b].secondary, b);
  };
  std::vector<size_t> hard_left(count, 0);
  std::vector<size_t> soft_left(count, 0);
  std::vector<std::vector<size_t>> hard_users(count);
  std::vector<std::vector<size_t>> soft_users(count);
  for (size_t i = 0; i < count; ++i) {
    std::set<size_t> hard(nodes[i].hard.begin(), nodes[i].hard.end());
    hard.erase(i);
    std::set<size_t> soft;
    for (size_t dep : nodes[i].soft) {
      if (dep != i && !hard.contains(dep)) soft.insert(dep);
    }
    for (size_t dep : hard) hard_users[dep].push_back(i);
    for (size_t dep : soft) soft_users[dep].push_back(i);
    hard_left[i] = hard.size();
    soft_left[i] = soft.size();
  }

  std::set<size_t, decltype(less)> ready(less);       // all dependencies placed
  std::set<size_t, decltype(less)> hard_ready(less);  // hard dependencies placed
  std::set<size_t, decltype(less)> remaining(less);
  for (size_t i = 0; i < count; ++i) {
    remaining.insert(i);
    if (hard_left[i] == 0) hard_ready.insert(i);
    if (hard_left[i] == 0 && soft_left[i] == 0) ready.insert(i);
  }
  std::vector<bool> placed(count, false);
  std::vector<size_t> order;
  order.reserve(count);
  while (!remaining.empty()) {
    size_t pick = 0;
    if (!ready.empty() && (hard_ready.empty() ||
                           nodes[*ready.begin()].rank <= nodes[*hard_ready.begin()].rank)) {
      pick = *ready.begin();
    } else if (!hard_ready.empty()) {
      // Either nothing is fully ready, or the next ready node belongs to a later group (an index,
      // say) while a table waits only for soft edges: drop those rather than split the group. Only
      // a node that lies on a cycle has to give up its soft edges; a node that merely waits for one
      // (a table referencing a member of a foreign key cycle) keeps them.
      pick = *hard_ready.begin();
      for (size_t candidate : hard_ready) {
        if (OnCycle(nodes, placed, candidate)) {
          pick = candidate;
          break;
        }
      }
    } else {
      pick = *remaining.begin();
    }
    ready.erase(pick);
    hard_ready.erase(pick);
    remaining.erase(pick);
    placed[pick] = true;
    order.push_back(pick);
    for (size_t user : hard_users[pick]) {
      if (--hard_left[user] != 0 || placed[user]) continue;
      hard_ready.insert(user);
      if (soft_left[user] == 0) ready.insert(user);
    }
    for (size_t user : soft_users[pick]) {
      if (--soft_left[user] == 0 && hard_left[user] == 0 && !placed[user]) ready.insert(user);
    }
  }
  return order;
}

// PostgreSQL's name spaces: types, relations (tables, views, sequences share pg_class) and
// routines. Dependencies are matched within the space, so a dep recorded as View still finds a
// table of that name and vice versa.
enum class Space { Type, Relation, Routine };

std::optional<Space> SpaceOf(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Enum:
    case ObjectKind::Domain:
    case ObjectKind::CompositeType: return Space::Type;
    case ObjectKind::Table:
    case ObjectKind::View:
    case ObjectKind::MaterializedView:
    case ObjectKind::Sequence: return Space::Relation;
    case ObjectKind::Function:
    case ObjectKind::Procedure: return Space::Routine;
    default: return std::nullopt;
  }
}

bool SameColumnSet(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

class GraphBuilder {
 public:
  explicit GraphBuilder(const model::Catalog& catalog) : catalog_(catalog) {}

  CreationOrder Build();

 private:
  size_t Add(int rank, QualifiedName primary, std::string secondary, Step step) {
    nodes_.push_back(Node{rank, std::move(primary), std::move(secondary), step, {}, {}});
    return nodes_.size() - 1;
  }
  void Name(Space space, const QualifiedName& name, size_t node) { names_[{space, name}] = node; }
  std::optional<size_t> Find(Space space, const QualifiedName& name) const {
    auto it = names_.find({space, name});
    if (it == names_.end()) return std::nullopt;
    return it->second;
  }
  // The nodes an ObjectId names; empty for objects outside the graph (built-ins, extensions...).
  std::vector<size_t> Resolve(const model::ObjectId& id) const;
  std::vector<size_t> ResolveAll(const std::vector<model::ObjectId>& ids) const;
  // The unique index a foreign key relies on when no primary key or unique constraint of the
  // referenced table covers exactly its columns.
  std::optional<size_t> BackingIndex(const model::Constraint& fk) const;
  void AddTableEdges(size_t table_index);

  const model::Catalog& catalog_;
  std::vector<Node> nodes_;
  std::map<std::pair<Space, QualifiedName>, size_t> names_;
  std::map<QualifiedName, std::vector<size_t>> routines_by_name_;
  std::vector<size_t> table_nodes_;
  std::vector<size_t> index_nodes_;
  // (node of the foreign key, its backing index node if any), per table and constraint
  std::map<std::pair<size_t, size_t>, std::pair<size_t, std::optional<size_t>>> fk_nodes_;
};

std::vector<size_t> GraphBuilder::Resolve(const model::ObjectId& id) const {
  std::optional<Space> space = SpaceOf(id.kind);
  if (!space) return {};
  if (std::optional<size_t> node = Find(*space, id.name)) return {*node};
  // A composite type's field (or a function's argument) may be a table's row type.
  if (*space == Space::Type) {
    if (std::optional<size_t> node = Find(Space::Relation, id.name)) return {*node};
  }
  // A routine named without its argument list stands for every overload.
  if (*space == Space::Routine && id.name.name.find('(') == std::string::npos) {
    auto it = routines_by_name_.find(id.name);
    if (it != routines_by_name_.end()) return it->second;
  }
  return {};
}

std::vector<size_t> GraphBuilder::ResolveAll(const std::vector<model::ObjectId>& ids) const {
  std::vector<size_t> nodes;
  for (const model::ObjectId& id : ids) {
    for (size_t node : Resolve(id)) nodes.push_back(node);
  }
  return nodes;
}

std::optional<size_t> GraphBuilder::BackingIndex(const model::Constraint& fk) const {
  auto ref = std::find_if(catalog_.tables.begin(), catalog_.tables.end(),
                          [&fk](const model::Table& t) { return t.name == fk.ref_table; });
  if (ref == catalog_.tables.end()) return std::nullopt;
  for (const model::Constraint& key : ref->constraints) {
    if (key.kind == model::ConstraintKind::PrimaryKey && fk.ref_columns.empty()) return std::nullopt;
    bool unique = key.kind == model::ConstraintKind::PrimaryKey ||
                  key.kind == model::ConstraintKind::Unique;
    if (unique && SameColumnSet(key.columns, fk.ref_columns)) return std::nullopt;
  }
  for (size_t i = 0; i < catalog_.indexes.size(); ++i) {
    const model::Index& index = catalog_.indexes[i];
    if (index.table != fk.ref_table || !index.unique || index.where) continue;
    std::vector<std::string> columns;
    for (const model::IndexElement& element : index.elements) {
      if (element.is_column) columns.push_back(element.expression);
    }
    if (columns.size() == index.elements.size() && SameColumnSet(columns, fk.ref_columns)) {
      return index_nodes_[i];
    }
  }
  return std::nullopt;
}

void GraphBuilder::AddTableEdges(size_t table_index) {
  const model::Table& table = catalog_.tables[table_index];
  size_t self = table_nodes_[table_index];
  std::optional<size_t> parent;
  if (table.partition_of) parent = Find(Space::Relation, *table.partition_of);
  if (parent) nodes_[self].hard.push_back(*parent);
  // Inheritance parents too, even when the child also has a foreign key to one.
  for (const QualifiedName& name : table.inherits) {
    if (std::optional<size_t> p = Find(Space::Relation, name)) nodes_[self].hard.push_back(*p);
  }

  std::set<size_t> fk_targets;
  for (size_t c = 0; c < table.constraints.size(); ++c) {
    const model::Constraint& constraint = table.constraints[c];
    // Foreign keys, and NOT VALID checks (always added after CREATE TABLE, which would validate
    // them; a check has no referenced table, so it only waits for its own table).
    if (constraint.kind != model::ConstraintKind::ForeignKey && !constraint.not_valid) continue;
    std::optional<size_t> target = Find(Space::Relation, constraint.ref_table);
    std::optional<size_t> index = BackingIndex(constraint);
    size_t fk = Add(5, table.name, constraint.name, Step{StepKind::ForeignKey, table_index, c});
    nodes_[fk].hard.push_back(self);
    if (target) nodes_[fk].hard.push_back(*target);
    if (index) nodes_[fk].hard.push_back(*index);
    fk_nodes_[{table_index, c}] = {fk, index};
    if (target) fk_targets.insert(*target);
    // Prefer creating the referenced table first so the key can be written inline.
    if (target && !index) nodes_[self].soft.push_back(*target);
  }
  // Table dependencies that exist only because of a foreign key are soft (above); the rest (types,
  // sequences, functions, the partition parent, row types of other tables) are hard.
  for (size_t dep : ResolveAll(table.deps)) {
    bool is_fk_target = fk_targets.contains(dep) && dep != parent;
    if (!is_fk_target) nodes_[self].hard.push_back(dep);
  }
}

CreationOrder GraphBuilder::Build() {
  const model::Catalog& c = catalog_;
  for (size_t i = 0; i < c.enums.size(); ++i) {
    Name(Space::Type, c.enums[i].name, Add(0, c.enums[i].name, "", {StepKind::Enum, i}));
  }
  for (size_t i = 0; i < c.domains.size(); ++i) {
    Name(Space::Type, c.domains[i].name, Add(1, c.domains[i].name, "", {StepKind::Domain, i}));
  }
  for (size_t i = 0; i < c.composite_types.size(); ++i) {
    const QualifiedName& name = c.composite_types[i].name;
    Name(Space::Type, name, Add(1, name, "", {StepKind::CompositeType, i}));
  }
  for (size_t i = 0; i < c.sequences.size(); ++i) {
    Name(Space::Relation, c.sequences[i].name,
         Add(2, c.sequences[i].name, "", {StepKind::Sequence, i}));
  }
  for (size_t i = 0; i < c.functions.size(); ++i) {
    const model::Function& function = c.functions[i];
    std::string signature = function.Signature();
    size_t node = Add(3, function.name, signature, {StepKind::Function, i});
    Name(Space::Routine, {function.name.schema, signature}, node);
    routines_by_name_[function.name].push_back(node);
  }
  for (size_t i = 0; i < c.tables.size(); ++i) {
    table_nodes_.push_back(Add(4, c.tables[i].name, "", {StepKind::Table, i}));
    Name(Space::Relation, c.tables[i].name, table_nodes_.back());
  }
  for (size_t i = 0; i < c.views.size(); ++i) {
    Name(Space::Relation, c.views[i].name, Add(8, c.views[i].name, "", {StepKind::View, i}));
  }
  for (size_t i = 0; i < c.indexes.size(); ++i) {
    index_nodes_.push_back(Add(7, c.indexes[i].table, c.indexes[i].name.name, {StepKind::Index, i}));
  }

  // Edges. Nodes are complete, so every name resolves from here on.
  for (size_t i = 0; i < c.tables.size(); ++i) AddTableEdges(i);
  for (Node& node : nodes_) {
    const Step& step = node.step;
    switch (step.kind) {
      case StepKind::Domain: node.hard = ResolveAll(c.domains[step.index].deps); break;
      case StepKind::CompositeType: node.hard = ResolveAll(c.composite_types[step.index].deps); break;
      case StepKind::Function: node.hard = ResolveAll(c.functions[step.index].deps); break;
      case StepKind::View: node.hard = ResolveAll(c.views[step.index].deps); break;
      case StepKind::Index: {
        const model::Index& index = c.indexes[step.index];
        node.hard = ResolveAll(index.deps);
        if (std::optional<size_t> table = Find(Space::Relation, index.table)) {
          node.hard.push_back(*table);
        }
        break;
      }
      default: break;
    }
  }
  for (size_t i = 0; i < c.sequences.size(); ++i) {
    const model::Sequence& sequence = c.sequences[i];
    if (!sequence.owned_by_table || !sequence.owned_by_column) continue;
    size_t node = Add(6, sequence.name, "", {StepKind::SequenceOwnedBy, i});
    nodes_[node].hard.push_back(*Find(Space::Relation, sequence.name));
    if (std::optional<size_t> table = Find(Space::Relation, *sequence.owned_by_table)) {
      nodes_[node].hard.push_back(*table);
    }
  }

  std::vector<size_t> order = PriorityTopologicalOrder(nodes_);
  std::vector<size_t> position(nodes_.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;

  CreationOrder result;
  result.inline_constraints.resize(c.tables.size());
  for (size_t t = 0; t < c.tables.size(); ++t) {
    result.inline_constraints[t].assign(c.tables[t].constraints.size(), true);
  }
  std::set<size_t> separate_fks;
  for (const auto& [key, value] : fk_nodes_) {
    const auto& [table_index, constraint_index] = key;
    const auto& [fk_node, index] = value;
    const model::Constraint& fk = c.tables[table_index].constraints[constraint_index];
    size_t self = table_nodes_[table_index];
    std::optional<size_t> target = Find(Space::Relation, fk.ref_table);
    bool target_first = !target || *target == self || position[*target] < position[self];
    if (index || !target_first || fk.not_valid) {
      result.inline_constraints[table_index][constraint_index] = false;
      separate_fks.insert(fk_node);
    }
  }
  for (size_t node : order) {
    if (nodes_[node].step.kind == StepKind::ForeignKey && !separate_fks.contains(node)) continue;
    result.steps.push_back(nodes_[node].step);
  }
  return result;
}

}  // namespace

CreationOrder OrderCreation(const model::Catalog& catalog) {
  return GraphBuilder(catalog).Build();
}

}  // namespace schemac::sqlgen
