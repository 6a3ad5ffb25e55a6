/**
 * Reading HDF5 attributes and objects through h5wasm as plain values: one
 * place that narrows h5wasm's loosely typed results.
 *
 * @module
 */
import type { Dataset, Entity, Group } from "h5wasm";

/** An attribute's value: text, a number, or an enum member (its label and value). */
export type AttributeValue = string | number | { readonly label: string; readonly value: number };

/** Whether `entity` is a group. */
export function isGroup(entity: Entity | null): entity is Group {
  return entity !== null && "type" in entity && String(entity.type) === "Group";
}

/** Whether `entity` is a dataset. */
export function isDataset(entity: Entity | null): entity is Dataset {
  return entity !== null && "type" in entity && String(entity.type) === "Dataset";
}

/** The group at `path` under `parent`, or undefined when there is none (or it is not a group). */
export function childGroup(parent: Group, path: string): Group | undefined {
  const entity = parent.get(path);
  return isGroup(entity) ? entity : undefined;
}

/**
 * The attributes of `object` as plain values: strings, numbers (64-bit
 * integers as the nearest double), enum members with their label;
 * one-element arrays count as their element; other shapes are left out.
 *
 * @param object A group or dataset.
 * @returns Attribute name → value.
 */
export function readAttributes(object: Group | Dataset): Map<string, AttributeValue> {
  const out = new Map<string, AttributeValue>();
  for (const [name, attribute] of Object.entries(object.attrs)) {
    let value: unknown = attribute.json_value;
    if (Array.isArray(value) && value.length === 1) value = value[0];
    if (typeof value === "string") out.set(name, value);
    else if (typeof value === "number") {
      const members = attribute.metadata.enum_type?.members;
      const label = members === undefined ? undefined : Object.entries(members).find(([, v]) => v === value)?.[0];
      out.set(name, label === undefined ? value : { label, value });
    }
  }
  return out;
}

/** An attribute as text: strings as they are, numbers printed (as Python's `str()` would for ints). */
export function attributeText(value: AttributeValue): string {
  if (typeof value === "object") return value.label;
  return String(value);
}

/** An attribute as a number: numbers, enum values, and numeric text; undefined otherwise. */
export function attributeNumber(value: AttributeValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "object") return value.value;
  const text = value.trim();
  if (text === "") return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** Every attribute of `group` as text (MinKNOW's `tracking_id`, `context_tags`); an absent group is empty. */
export function textAttributes(group: Group | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (group === undefined) return out;
  for (const [name, value] of readAttributes(group)) out[name] = attributeText(value);
  return out;
}
