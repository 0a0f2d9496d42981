import type { ActivityDefinition, OrchestrationDefinition } from "../core/definitions.js";
import { InvalidArgumentError } from "../core/errors.js";

/** The orchestrations and activities one worker can run. */
export class Registry {
  readonly #orchestrations = new Map<string, OrchestrationDefinition[]>();
  readonly #activities = new Map<string, ActivityDefinition>();

  constructor(orchestrations: readonly OrchestrationDefinition<never, unknown>[], activities: readonly ActivityDefinition<never, unknown>[]) {
    orchestrations.forEach((definition, index) => {
      if (definition?.kind !== "orchestration") throw new InvalidArgumentError(`orchestrations[${index}]`, "must come from defineOrchestration()");
      const list = this.#orchestrations.get(definition.name) ?? [];
      if (list.some((existing) => existing.version === definition.version)) {
        throw new InvalidArgumentError(`orchestrations[${index}]`, `"${definition.name}"${definition.version === undefined ? "" : ` version ${definition.version}`} is registered twice`);
      }
      list.push(definition as OrchestrationDefinition);
      this.#orchestrations.set(definition.name, list);
    });
    activities.forEach((definition, index) => {
      if (definition?.kind !== "activity") throw new InvalidArgumentError(`activities[${index}]`, "must come from defineActivity()");
      if (this.#activities.has(definition.name)) throw new InvalidArgumentError(`activities[${index}]`, `"${definition.name}" is registered twice`);
      this.#activities.set(definition.name, definition as ActivityDefinition);
    });
  }

  /** The orchestration for a name and version: the exact version, else the only or unversioned registration. */
  orchestration(name: string, version: string | undefined): OrchestrationDefinition | undefined {
    const list = this.#orchestrations.get(name);
    if (list === undefined) return undefined;
    return list.find((definition) => definition.version === version) ?? (list.length === 1 ? list[0] : list.find((definition) => definition.version === undefined));
  }

  activity(name: string): ActivityDefinition | undefined {
    return this.#activities.get(name);
  }

  orchestrationNames(): string[] {
    return [...this.#orchestrations.keys()];
  }

  activityNames(): string[] {
    return [...this.#activities.keys()];
  }
}
