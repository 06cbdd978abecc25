//! Wire types of accounts, shared by server and browser.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a member may do in a workspace (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users, API keys, merges and deletes.
    Admin,
    /// View and edit customers, notes, tasks, files, exports.
    Agent,
    /// Read only.
    Viewer,
}

impl Role {
    /// Whether this role may do what `needed` may: admin ⊇ agent ⊇ viewer.
    pub fn allows(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Agent => 1,
            Role::Admin => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!("unknown role {other:?}: expected admin, agent or viewer")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub base_currency: String,
    pub time_zone: String,
}

/// A member of the workspace as Settings → Users lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    pub active: bool,
}

/// An API key as Settings → API keys lists it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn stronger_roles_include_weaker_ones() {
        assert!(Role::Admin.allows(Role::Agent) && Role::Admin.allows(Role::Viewer));
        assert!(Role::Agent.allows(Role::Viewer) && !Role::Agent.allows(Role::Admin));
        assert!(!Role::Viewer.allows(Role::Agent) && Role::Viewer.allows(Role::Viewer));
    }
}
