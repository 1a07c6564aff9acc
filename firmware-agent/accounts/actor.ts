// Who does something: a user of the box (by role), the box itself ('system') or another box of the network
// ('peer'). Every domain checks its permissions against this, and the audit trail records it.

/** The roles of the box's users (accounts/service.ts). */
export const userRoles = ['admin', 'supervisor', 'agent', 'department', 'technician'] as const;
export type UserRole = (typeof userRoles)[number];

export interface Actor {
  id: number | null;
  name: string;
  role: UserRole | 'system' | 'peer';
  departmentId?: number | null;
}
