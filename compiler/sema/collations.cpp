// Collations: `collation name (option = value, ...)` (CREATE COLLATION), and the collation names
// columns, domains, composite fields, indexes and partition keys use.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "compiler/sema/context.h"

namespace schemac::sema {
namespace {

std::optional<model::Collation> BuildCollation(Context& ctx, const ast::Collation& c) {
  model::Collation m;
  m.name = ctx.Qualify(c.name);
  m.loc = c.loc;
  bool ok = true;
  std::optional<std::string> locale;
  auto invalid = [&](std::string message) {
    ctx.Error(DiagKind::InvalidOption, c.loc, std::move(message));
    ok = false;
  };
  std::map<std::string, bool> seen;
  for (const auto& [name, value] : c.options) {
    if (!seen.emplace(name.text, true).second) {
      invalid(fmt::format("collation '{}': option '{}' is given twice", Display(m.name), name.text));
      continue;
    }
    if (name.text == "provider") {
      if (value != "icu" && value != "libc") {
        invalid(fmt::format("collation '{}': provider must be icu or libc, not '{}'",
                            Display(m.name), value));
      }
      m.provider = value;
    } else if (name.text == "locale") {
      locale = value;
    } else if (name.text == "lc_collate") {
      m.lc_collate = value;
    } else if (name.text == "lc_ctype") {
      m.lc_ctype = value;
    } else if (name.text == "deterministic") {
      if (value != "true" && value != "false") {
        invalid(fmt::format("collation '{}': deterministic must be true or false",
                            Display(m.name)));
      }
      m.deterministic = value != "false";
    } else {
      invalid(fmt::format("collation '{}': unknown option '{}' (expected provider, locale, "
                          "lc_collate, lc_ctype or deterministic)",
                          Display(m.name), name.text));
    }
  }
  if (m.provider == "icu") {
    if (!locale) invalid(fmt::format("ICU collation '{}' needs a locale", Display(m.name)));
    if (m.lc_collate || m.lc_ctype) {
      invalid(fmt::format("ICU collation '{}' takes locale, not lc_collate or lc_ctype",
                          Display(m.name)));
    }
    m.locale = locale;
  } else {
    // libc: `locale` stands for both categories.
    if (!m.lc_collate) m.lc_collate = locale;
    if (!m.lc_ctype) m.lc_ctype = locale;
    if (!m.lc_collate || !m.lc_ctype) {
      invalid(fmt::format("libc collation '{}' needs locale, or both lc_collate and lc_ctype",
                          Display(m.name)));
    }
    if (!m.deterministic) {
      invalid(fmt::format("collation '{}': nondeterministic collations need provider = icu",
                          Display(m.name)));
    }
  }
  if (!ok) return std::nullopt;
  return m;
}

}  // namespace

void BuildCollations(Context& ctx, const std::vector<ast::File>& files) {
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) {
      const auto* c = std::get_if<ast::Collation>(&decl);
      if (c == nullptr) continue;
      const QName name = ctx.Qualify(c->name);
      auto existing = ctx.collations.find(name);
      if (existing != ctx.collations.end()) {
        base::Diagnostic& d = ctx.Error(DiagKind::DuplicateObject, c->name.name.loc,
                                        fmt::format("collation '{}' is declared twice",
                                                    Display(name)));
        Context::Note(d, existing->second.loc, "previous declaration is here");
        continue;
      }
      std::optional<model::Collation> m = BuildCollation(ctx, *c);
      if (!m) {
        model::Collation placeholder;
        placeholder.name = name;
        placeholder.loc = c->name.name.loc;
        ctx.collations.emplace(name, std::move(placeholder));
        continue;
      }
      m->loc = c->name.name.loc;
      ctx.collations.emplace(name, std::move(*m));
    }
  }
}

void ResolveCollations(Context& ctx, model::Catalog& catalog) {
  if (ctx.collations.empty()) return;
  // A declared collation by the name written: `numeric` is public.numeric (no search path),
  // `x.german` is x.german. Built-in names ("C", "POSIX", "en_US", "pg_catalog.default") stay as
  // written.
  auto resolve = [&](std::optional<std::string>& collation, std::vector<model::ObjectId>* deps) {
    if (!collation) return;
    const size_t dot = collation->find('.');
    const QName name = dot == std::string::npos
                           ? QName{"public", *collation}
                           : QName{collation->substr(0, dot), collation->substr(dot + 1)};
    if (!ctx.collations.contains(name)) return;
    *collation = name.schema + "." + name.name;
    if (deps != nullptr) AddDep(*deps, model::ObjectKind::Collation, name);
  };
  auto sort = [](std::vector<model::ObjectId>& deps) {
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  };
  for (model::Table& t : catalog.tables) {
    for (model::Column& c : t.columns) resolve(c.collation, &t.deps);
    for (model::IndexElement& e : t.partition_keys) resolve(e.collation, &t.deps);
    for (model::Constraint& k : t.constraints) {
      for (model::IndexElement& e : k.elements) resolve(e.collation, &t.deps);
    }
    sort(t.deps);
  }
  for (model::Index& i : catalog.indexes) {
    for (model::IndexElement& e : i.elements) resolve(e.collation, &i.deps);
    sort(i.deps);
  }
  for (model::Domain& d : catalog.domains) {
    resolve(d.collation, &d.deps);
    sort(d.deps);
  }
  for (model::CompositeType& t : catalog.composite_types) {
    for (model::CompositeField& f : t.fields) resolve(f.collation, &t.deps);
    sort(t.deps);
  }
  for (auto& [name, collation] : ctx.collations) catalog.collations.push_back(collation);
}

}  // namespace schemac::sema
