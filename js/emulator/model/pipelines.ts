/**
 * @module emulator/model/pipelines
 * Pipelines and their stages as seeded (`pipelines`, `stages`) and looked up: a live stage or pipeline by id, a
 * pipeline's first stage (lowest `order_nr`), and the default pipeline new deals go to (the selected one, else the
 * first by `order_nr`). The defaults (one pipeline, five stages) are in `model/default_data.ts`.
 */

import { rfc3339 } from '../wire/clock';
import type { PipelineRecord, StageRecord } from './records';

/** A pipeline to add or replace (by `id`): `name` at least. */
export type PipelineSeed = Partial<PipelineRecord> & { name: string };

/** A stage to add or replace (by `id`): `name` and the `pipeline_id` of an existing pipeline. */
export type StageSeed = Partial<StageRecord> & { name: string; pipeline_id: number };

function nextId(list: readonly { id: number }[]): number {
  return 1 + Math.max(0, ...list.map((r) => r.id));
}

/** The list with `seed` added, or replacing the pipeline of the same id. */
export function withPipeline(list: readonly PipelineRecord[], seed: PipelineSeed, now: number): PipelineRecord[] {
  const time = rfc3339(now);
  const id = seed.id ?? nextId(list);
  const pipeline: PipelineRecord = {
    id, name: seed.name, order_nr: seed.order_nr ?? id, is_selected: seed.is_selected ?? false, is_deleted: seed.is_deleted ?? false,
    is_deal_probability_enabled: seed.is_deal_probability_enabled ?? false, add_time: seed.add_time ?? time, update_time: seed.update_time ?? time,
  };
  return [...list.filter((p) => p.id !== id), pipeline].sort((a, b) => a.id - b.id);
}

/** The list with `seed` added, or replacing the stage of the same id; throws when its pipeline does not exist. */
export function withStage(list: readonly StageRecord[], pipelines: readonly PipelineRecord[], seed: StageSeed, now: number): StageRecord[] {
  if (!pipelines.some((p) => p.id === seed.pipeline_id)) throw new Error(`stage '${seed.name}': pipeline ${seed.pipeline_id} does not exist`);
  const time = rfc3339(now);
  const id = seed.id ?? nextId(list);
  const stage: StageRecord = {
    id, order_nr: seed.order_nr ?? 1 + list.filter((st) => st.pipeline_id === seed.pipeline_id).length, name: seed.name,
    is_deleted: seed.is_deleted ?? false, deal_probability: seed.deal_probability ?? 100, pipeline_id: seed.pipeline_id,
    is_deal_rot_enabled: seed.is_deal_rot_enabled ?? false, days_to_rotten: seed.days_to_rotten ?? null,
    add_time: seed.add_time ?? time, update_time: seed.update_time ?? time,
  };
  return [...list.filter((st) => st.id !== id), stage].sort((a, b) => a.id - b.id);
}

/** The first live stage (lowest `order_nr`) of a pipeline, or `undefined` when it has none. */
export function firstStageOf(stages: readonly StageRecord[], pipelineId: number): StageRecord | undefined {
  return stages.filter((st) => st.pipeline_id === pipelineId && !st.is_deleted).sort((a, b) => a.order_nr - b.order_nr || a.id - b.id)[0];
}

/** The pipeline new deals go to when none is given: the selected one, else the first by `order_nr`. */
export function defaultPipelineOf(pipelines: readonly PipelineRecord[]): PipelineRecord | undefined {
  const live = pipelines.filter((p) => !p.is_deleted).sort((a, b) => a.order_nr - b.order_nr || a.id - b.id);
  return live.find((p) => p.is_selected) ?? live[0];
}
