// The file layout: which declarations go into which file, in which order.
#include "compiler/printer/printer.h"

#include <algorithm>
#include <set>

#include "compiler/printer/internal.h"

namespace schemac::printer {

namespace internal {

Context::Context(const model::Catalog& c) : catalog(c) {
  for (const model::Table& t : c.tables) {
    tables_[t.name] = &t;
    if (t.partition_of) partitions_[*t.partition_of].push_back(&t);
    relation_names_.insert({t.name.schema, t.name.name});
    for (const model::Constraint& k : t.constraints) ++constraint_names_[{t.name.schema, k.name}];
  }
  for (const model::Domain& d : c.domains) {
    for (const model::DomainCheck& check : d.checks) ++constraint_names_[{d.name.schema, check.name}];
  }
  for (const model::Sequence& s : c.sequences) {
    sequences_[s.name] = &s;
    relation_names_.insert({s.name.schema, s.name.name});
  }
  for (const model::View& v : c.views) {
    views_[v.name] = &v;
    relation_names_.insert({v.name.schema, v.name.name});
  }
  for (const model::CompositeType& t : c.composite_types) relation_names_.insert({t.name.schema, t.name.name});
  for (const model::Index& i : c.indexes) {
    relation_names_.insert({i.name.schema, i.name.name});
    indexes_[i.table].push_back(&i);
  }
  for (const model::Trigger& t : c.triggers) triggers_[t.table].push_back(&t);
  for (const model::Policy& p : c.policies) policies_[p.table].push_back(&p);
  for (const model::Function& f : c.functions) {
    functions_[{f.name.schema, f.Signature()}] = &f;
    ++function_names_[f.name];
  }
  for (const model::Grant& g : c.grants) {
    grants_[{g.object.schema, g.object.name, static_cast<int>(g.object_kind)}].push_back(g);
  }
}

const model::Table* Context::FindTable(const model::QualifiedName& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

const std::vector<model::Column>& Context::ColumnsOf(const model::Table& table) const {
  const model::Table* t = &table;
  for (int depth = 0; t->partition_of && depth < 100; ++depth) {
    const model::Table* parent = FindTable(*t->partition_of);
    if (parent == nullptr) break;
    t = parent;
  }
  return t->columns;
}

const model::Sequence* Context::FindSequence(const model::QualifiedName& name) const {
  auto it = sequences_.find(name);
  return it == sequences_.end() ? nullptr : it->second;
}

namespace {

template <typename T>
const std::vector<const T*>& Members(const std::map<model::QualifiedName, std::vector<const T*>>& by,
                                     const model::QualifiedName& name) {
  static const std::vector<const T*> kNone;
  auto it = by.find(name);
  return it == by.end() ? kNone : it->second;
}

}  // namespace

const std::vector<const model::Index*>& Context::IndexesOn(const model::QualifiedName& relation) const {
  return Members(indexes_, relation);
}
const std::vector<const model::Trigger*>& Context::TriggersOn(const model::QualifiedName& relation) const {
  return Members(triggers_, relation);
}
const std::vector<const model::Policy*>& Context::PoliciesOn(const model::QualifiedName& table) const {
  return Members(policies_, table);
}
const std::vector<const model::Table*>& Context::PartitionsOf(const model::QualifiedName& table) const {
  return Members(partitions_, table);
}

const model::View* Context::FindView(const model::QualifiedName& name) const {
  auto it = views_.find(name);
  return it == views_.end() ? nullptr : it->second;
}

const model::Function* Context::FindFunction(const std::string& schema, const std::string& signature) const {
  auto it = functions_.find({schema, signature});
  return it == functions_.end() ? nullptr : it->second;
}

bool Context::Overloaded(const model::Function& function) const {
  auto it = function_names_.find(function.name);
  return it != function_names_.end() && it->second > 1;
}

bool Context::UniqueConstraintName(const std::string& schema, const std::string& name) const {
  auto it = constraint_names_.find({schema, name});
  return it != constraint_names_.end() && it->second == 1 && !relation_names_.contains({schema, name});
}

std::vector<model::Grant> Context::TakeGrants(model::ObjectKind kind, const model::QualifiedName& object) {
  auto it = grants_.find({object.schema, object.name, static_cast<int>(kind)});
  if (it == grants_.end()) return {};
  std::vector<model::Grant> out = std::move(it->second);
  grants_.erase(it);
  return out;
}

std::vector<std::vector<model::Grant>> Context::LeftoverGrants(const std::string& schema) {
  std::vector<std::vector<model::Grant>> out;
  for (auto it = grants_.begin(); it != grants_.end();) {
    if (std::get<0>(it->first) == schema) {
      out.push_back(std::move(it->second));
      it = grants_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace internal

namespace {

using internal::Context;

// The groups of one schema, in the order a person reads them.
struct SchemaText {
  std::vector<std::string> head;                               // schema, extensions, types, sequences
  std::vector<std::pair<std::string, std::string>> tables;     // file stem -> group
  std::vector<std::string> tail;                               // views, functions, leftover grants
};

std::string Join(const std::vector<std::string>& groups) {
  std::string out;
  for (const std::string& g : groups) {
    if (g.empty()) continue;
    if (!out.empty()) out += "\n";
    out += g;
  }
  return out;
}

SchemaText PrintSchema(Context& ctx, const std::string& schema, const std::set<model::QualifiedName>& serial) {
  const model::Catalog& c = ctx.catalog;
  SchemaText out;
  for (const model::Schema& s : c.schemas) {
    if (s.name == schema) out.head.push_back(internal::SchemaGroup(ctx, s));
  }
  std::string extensions;
  for (const model::Extension& e : c.extensions) {
    if (e.schema.value_or("public") == schema) extensions += internal::ExtensionGroup(e);
  }
  out.head.push_back(extensions);
  std::string collations;
  for (const model::Collation& k : c.collations) {
    if (k.name.schema != schema) continue;
    std::vector<std::string> options{"provider = " + k.provider};
    if (k.locale) options.push_back("locale = " + Literal(*k.locale));
    if (k.lc_collate && k.lc_collate == k.lc_ctype) {
      options.push_back("locale = " + Literal(*k.lc_collate));
    } else {
      if (k.lc_collate) options.push_back("lc_collate = " + Literal(*k.lc_collate));
      if (k.lc_ctype) options.push_back("lc_ctype = " + Literal(*k.lc_ctype));
    }
    if (!k.deterministic) options.push_back("deterministic = false");
    std::string joined;
    for (const std::string& o : options) joined += (joined.empty() ? "" : ", ") + o;
    collations += "collation " + internal::Qualified(k.name) + " (" + joined + ")\n";
  }
  out.head.push_back(collations);
  for (const model::Enum& e : c.enums) {
    if (e.name.schema == schema) out.head.push_back(internal::EnumGroup(ctx, e));
  }
  for (const model::Domain& d : c.domains) {
    if (d.name.schema == schema) out.head.push_back(internal::DomainGroup(ctx, d));
  }
  for (const model::CompositeType& t : c.composite_types) {
    if (t.name.schema == schema) out.head.push_back(internal::CompositeGroup(ctx, t));
  }
  for (const model::Sequence& s : c.sequences) {
    if (s.name.schema == schema && !serial.contains(s.name)) out.head.push_back(internal::SequenceGroup(ctx, s));
  }
  for (const model::Table& t : c.tables) {
    if (t.name.schema != schema || internal::PrintedWithParent(ctx, t)) continue;
    out.tables.emplace_back(FileName(t.name.name), internal::TableGroup(ctx, t));
  }
  for (const model::View& v : c.views) {
    if (v.name.schema == schema) out.tail.push_back(internal::ViewGroup(ctx, v));
  }
  for (const model::Function& f : c.functions) {
    if (f.name.schema == schema) out.tail.push_back(internal::FunctionGroup(ctx, f));
  }
  // Grants on objects not printed above (sequences of identity columns whose name is not the
  // derived one, objects of other kinds), one object at a time.
  std::string leftovers;
  for (const std::vector<model::Grant>& grants : ctx.LeftoverGrants(schema)) {
    leftovers += internal::GrantLines(ctx, grants);
  }
  out.tail.push_back(leftovers);
  return out;
}

}  // namespace

Output Print(const model::Catalog& catalog, const Options& options) {
  Context ctx(catalog);
  std::set<model::QualifiedName> serial;
  for (const model::Table& t : catalog.tables) {
    if (t.partition_of) continue;
    for (const model::Column& c : t.columns) {
      if (const model::Sequence* s = internal::SerialSequence(ctx, t, c)) serial.insert(s->name);
    }
  }
  // Every schema that holds something, whether or not it is listed.
  std::set<std::string> schemas;
  for (const model::Schema& s : catalog.schemas) schemas.insert(s.name);
  for (const model::Table& t : catalog.tables) schemas.insert(t.name.schema);
  for (const model::View& v : catalog.views) schemas.insert(v.name.schema);
  for (const model::Function& f : catalog.functions) schemas.insert(f.name.schema);
  for (const model::Enum& e : catalog.enums) schemas.insert(e.name.schema);
  for (const model::Collation& k : catalog.collations) schemas.insert(k.name.schema);
  for (const model::Domain& d : catalog.domains) schemas.insert(d.name.schema);
  for (const model::CompositeType& t : catalog.composite_types) schemas.insert(t.name.schema);
  for (const model::Sequence& s : catalog.sequences) schemas.insert(s.name.schema);
  for (const model::Extension& e : catalog.extensions) schemas.insert(e.schema.value_or("public"));

  Output out;
  for (const std::string& schema : schemas) {
    SchemaText text = PrintSchema(ctx, schema, serial);
    const std::string stem = FileName(schema);
    std::vector<std::string> rest = text.head;
    if (options.split) {
      for (auto& [table, group] : text.tables) out.files.push_back({stem + "/" + table + ".schema", group});
    } else {
      for (auto& [table, group] : text.tables) rest.push_back(group);
    }
    rest.insert(rest.end(), text.tail.begin(), text.tail.end());
    const std::string body = Join(rest);
    if (!body.empty()) out.files.push_back({stem + ".schema", body});
  }
  // Nothing in scope is still a schema: one file says so, so that the output is something `plan`
  // and `check` accept (a directory without .schema files is an error) and that plans to empty.
  if (out.files.empty()) {
    out.files.push_back({"public.schema", "-- The database has no objects in the inspected schemas.\n"});
  }
  std::sort(out.files.begin(), out.files.end(), [](const File& a, const File& b) { return a.path < b.path; });
  out.notes.assign(ctx.notes.begin(), ctx.notes.end());
  return out;
}

}  // namespace schemac::printer
