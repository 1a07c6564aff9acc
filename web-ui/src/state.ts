// Session-wide state shared by pages: the user, the code tables and the departments.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Codes, Department, User } from './api.js';

export interface AppState {
  user: User;
  codes: Codes;
  departments: Department[];
  reloadDepartments: () => Promise<void>;
  /** The calls subsystem answered (agent states, call pop, wallboard call figures). */
  callsAvailable: boolean;
  /** The box's time zone (IANA): local days on the pages are the box's, not the browser's. */
  timezone: string;
}

export const AppCtx = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppCtx);
  if (!s) throw new Error('AppCtx missing');
  return s;
}

export type Role = User['role'];
export const supervisorRoles: Role[] = ['admin', 'supervisor'];
