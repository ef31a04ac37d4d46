import { cpus, totalmem } from 'node:os';

export interface Machine {
  cpus: number;
  model: string;
  /** Total memory in bytes. */
  memory: number;
}

export function machineInfo(): Machine {
  const list = cpus();
  return { cpus: list.length, model: list[0]?.model.trim() ?? 'unknown', memory: totalmem() };
}
