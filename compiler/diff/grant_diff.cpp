// Grants: REVOKE what the live database grants and the target does not, GRANT the reverse, grouped
// per object, grantee and grant option the way sqlgen::GrantStatements groups them.
//
// Privileges vanish with their object: nothing is revoked on objects (or columns) the plan drops,
// and everything the target grants on an object the plan creates or recreates is granted again.
// A change of the grant option is a REVOKE of the privilege followed by a GRANT (revokes of an
// object run before its grants). Whether the roles exist is the runtime's business.
#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::Grant;
using model::ObjectKind;

using GrantRow = std::tuple<QualifiedName, ObjectKind, std::optional<std::string>, std::string,
                            std::string, bool>;  // object, kind, column, privilege, grantee, option

GrantRow RowOf(const Grant& g) {
  return {g.object, g.object_kind, g.column, g.privilege, g.grantee, g.with_grant_option};
}

// The key a grant decorates, in `index`; nullopt when the object is not in that catalog.
std::optional<Key> GrantKey(const CatalogIndex& index, const Grant& g) {
  switch (g.object_kind) {
    case ObjectKind::Schema: {
      std::string name = g.object.name.empty() ? g.object.schema : g.object.name;
      if (index.FindSchema(name) == nullptr) return std::nullopt;
      return Key{KeyKind::Schema, {"", name}, ""};
    }
    case ObjectKind::Function:
    case ObjectKind::Procedure:
      if (index.FindRoutine(g.object) == nullptr) return std::nullopt;
      return Key{KeyKind::Routine, g.object, ""};
    case ObjectKind::Enum:
    case ObjectKind::Domain:
    case ObjectKind::CompositeType:
      if (!index.FindEnum(g.object) && !index.FindDomain(g.object) &&
          !index.FindComposite(g.object)) {
        return std::nullopt;
      }
      return Key{KeyKind::Type, g.object, ""};
    default:
      if (index.FindTable(g.object) != nullptr) {
        if (!g.column) return Key{KeyKind::Table, g.object, ""};
        if (index.FindColumn(g.object, *g.column) == nullptr) return std::nullopt;
        return Key{KeyKind::Column, g.object, *g.column};
      }
      if (index.FindView(g.object) != nullptr) return Key{KeyKind::View, g.object, ""};
      if (index.FindSequence(g.object) != nullptr) return Key{KeyKind::Sequence, g.object, ""};
      return std::nullopt;
  }
}

// Grants on sequences may come as kind Table (aclexplode does not tell them apart).
std::vector<Grant> Normalized(const CatalogIndex& index, const std::vector<Grant>& grants) {
  std::vector<Grant> out = grants;
  for (Grant& g : out) {
    if (g.object_kind == ObjectKind::Table && index.FindSequence(g.object) != nullptr) {
      g.object_kind = ObjectKind::Sequence;
    }
  }
  return out;
}

void EmitGroups(Context& ctx, const std::vector<Grant>& grants, bool revoke) {
  using GroupKey = std::tuple<QualifiedName, ObjectKind, std::string, bool, std::optional<Key>>;
  std::map<GroupKey, std::vector<Grant>> groups;
  const CatalogIndex& index = revoke ? *ctx.live_index : *ctx.target_index;
  for (const Grant& g : grants) {
    std::optional<Key> key = GrantKey(index, g);
    // A REVOKE on one column and one on the whole table are separate steps (their keys differ).
    GroupKey group{g.object, g.object_kind, g.grantee, revoke ? false : g.with_grant_option, key};
    groups[group].push_back(g);
  }
  for (const auto& [group, rows] : groups) {
    const Key key = std::get<4>(group).value_or(Key{KeyKind::Table, rows[0].object, ""});
    std::set<std::string> privileges;
    for (const Grant& g : rows) {
      privileges.insert(g.column ? g.privilege + " (" + *g.column + ")" : g.privilege);
    }
    std::string target = sqlgen::GrantTarget(rows[0].object_kind, rows[0].object);
    ctx.Emit({.key = key, .role = Role::Decorate, .phase = Phase::Create, .rank = Rank::Grant,
              .object = {rows[0].object_kind, rows[0].object}, .action = revoke ? '-' : '+',
              .summary = fmt::format("{} {} on {} {} {}{}", revoke ? "revoke" : "grant",
                                     fmt::join(privileges, ", "), target, revoke ? "from" : "to",
                                     sqlgen::RoleSql(rows[0].grantee),
                                     rows[0].with_grant_option && !revoke ? " with grant option"
                                                                          : ""),
              .sql = revoke ? sqlgen::RevokeStatement(rows) : sqlgen::GrantStatement(rows),
              .loc = revoke ? base::Loc{} : rows[0].loc});
  }
}

}  // namespace

void DiffGrants(Context& ctx) {
  std::vector<Grant> live = Normalized(*ctx.live_index, ctx.live().grants);
  std::vector<Grant> target = Normalized(*ctx.target_index, ctx.target.grants);
  // What still exists when the grants run: live grants on objects that are kept. An object that
  // neither model describes (the sequence of an identity column) is left alone by the plan, and so
  // are its grants: kept when both sides name it.
  auto kept = [&](const Grant& g) {
    std::optional<Key> live_key = GrantKey(*ctx.live_index, g);
    std::optional<Key> target_key = GrantKey(*ctx.target_index, g);
    if (!live_key && !target_key) return true;
    if (!live_key || !target_key) return false;
    if (ctx.Recreated(*target_key)) return false;
    if (g.column && ctx.Recreated({KeyKind::Column, g.object, *g.column})) return false;
    return true;
  };
  std::set<GrantRow> live_rows;
  for (const Grant& g : live) {
    if (kept(g)) live_rows.insert(RowOf(g));
  }
  std::set<GrantRow> target_rows;
  for (const Grant& g : target) target_rows.insert(RowOf(g));
  std::vector<Grant> revokes;
  for (const Grant& g : live) {
    if (live_rows.contains(RowOf(g)) && !target_rows.contains(RowOf(g))) revokes.push_back(g);
  }
  std::vector<Grant> grants;
  for (const Grant& g : target) {
    if (!live_rows.contains(RowOf(g))) grants.push_back(g);
  }
  EmitGroups(ctx, revokes, true);
  EmitGroups(ctx, grants, false);
}

}  // namespace schemac::diff::internal
