// GRANT and REVOKE statements from model::Grant rows (one row per privilege, as aclexplode gives).
#include "compiler/sqlgen/render.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

namespace schemac::sqlgen {

using model::QuoteIdent;
using model::QuoteQualified;

namespace {

// `INSERT, SELECT, UPDATE (a, b)`: whole-table privileges and column privileges in one list, sorted
// by privilege; PostgreSQL accepts both kinds in one GRANT.
std::string PrivilegeList(const std::vector<model::Grant>& group) {
  std::set<std::string> table_privileges;
  std::map<std::string, std::set<std::string>> column_privileges;
  for (const model::Grant& grant : group) {
    if (grant.column) {
      column_privileges[grant.privilege].insert(*grant.column);
    } else {
      table_privileges.insert(grant.privilege);
    }
  }
  std::set<std::string> names = table_privileges;
  for (const auto& [privilege, columns] : column_privileges) names.insert(privilege);
  std::vector<std::string> items;
  for (const std::string& privilege : names) {
    if (table_privileges.contains(privilege)) items.push_back(privilege);
    auto it = column_privileges.find(privilege);
    if (it == column_privileges.end()) continue;
    std::vector<std::string> columns(it->second.begin(), it->second.end());
    items.push_back(fmt::format("{} ({})", privilege, IdentList(columns)));
  }
  return fmt::format("{}", fmt::join(items, ", "));
}

}  // namespace

std::string GrantTarget(model::ObjectKind kind, const model::QualifiedName& object) {
  switch (kind) {
    case model::ObjectKind::Schema:
      return "SCHEMA " + QuoteIdent(object.name.empty() ? object.schema : object.name);
    case model::ObjectKind::Sequence:
      return "SEQUENCE " + QuoteQualified(object);
    case model::ObjectKind::Function:
    case model::ObjectKind::Procedure: {
      // The name is a signature, "f(integer, text)"; only the name part needs quoting.
      const char* keyword = kind == model::ObjectKind::Function ? "FUNCTION " : "PROCEDURE ";
      size_t paren = object.name.find('(');
      if (paren == std::string::npos) return keyword + QuoteQualified(object);
      return keyword + QuoteQualified({object.schema, object.name.substr(0, paren)}) +
             object.name.substr(paren);
    }
    case model::ObjectKind::Enum:
    case model::ObjectKind::CompositeType:
      return "TYPE " + QuoteQualified(object);
    case model::ObjectKind::Domain:
      return "DOMAIN " + QuoteQualified(object);
    default:
      // Tables, views and materialized views all take `ON TABLE`.
      return "TABLE " + QuoteQualified(object);
  }
}

std::string GrantStatement(const std::vector<model::Grant>& group) {
  if (group.empty()) return "";
  const model::Grant& first = group.front();
  return fmt::format("GRANT {} ON {} TO {}{};", PrivilegeList(group),
                     GrantTarget(first.object_kind, first.object), RoleSql(first.grantee),
                     first.with_grant_option ? " WITH GRANT OPTION" : "");
}

std::string RevokeStatement(const std::vector<model::Grant>& group) {
  if (group.empty()) return "";
  const model::Grant& first = group.front();
  return fmt::format("REVOKE {} ON {} FROM {};", PrivilegeList(group),
                     GrantTarget(first.object_kind, first.object), RoleSql(first.grantee));
}

std::vector<std::string> GrantStatements(const std::vector<model::Grant>& grants) {
  using Key = std::tuple<model::QualifiedName, model::ObjectKind, std::string, bool>;
  std::map<Key, std::vector<model::Grant>> groups;
  for (const model::Grant& grant : grants) {
    groups[Key{grant.object, grant.object_kind, grant.grantee, grant.with_grant_option}].push_back(
        grant);
  }
  std::vector<std::string> statements;
  for (const auto& [key, group] : groups) statements.push_back(GrantStatement(group));
  return statements;
}

}  // namespace schemac::sqlgen
