/**
 * @module emulator/routes/deal_pipeline
 * Where a deal sits: `stage_id` implies the pipeline ("a pipeline will be assigned automatically based on the
 * `stage_id`", v1 docs; UPDATES-FACTS §1.7). `pipeline_id` alone moves the deal to that pipeline's first stage
 * (what v1 documents for a create; for a PATCH it is the likely reading, [UNVERIFIED]). Both together must agree:
 * v1 ignored `pipeline_id` then, and what v2 does on a mismatch is [UNVERIFIED], so a mismatch is refused (400)
 * rather than guessed. A create with neither goes to the first stage of the default pipeline.
 */

import type { DealRecord } from '../model/records';
import type { EmulatorState } from '../model/state';
import { validationFailed } from '../wire/envelope';

/** A deal's stage and the pipeline it belongs to. */
export interface Placement {
  stage_id: number;
  pipeline_id: number;
}

/**
 * The stage and pipeline a body puts the deal in; `undefined` when it leaves them as they are. `current` is the
 * deal being updated, `null` for a create. Throws a 400 naming the field for an unknown stage or pipeline, a
 * pipeline without stages, or a `pipeline_id` that is not the stage's.
 */
export function resolvePlacement(state: EmulatorState, body: Record<string, unknown>, current: DealRecord | null): Placement | undefined {
  const stageId = body.stage_id as number | undefined;
  const pipelineId = body.pipeline_id as number | undefined;
  if (stageId !== undefined) {
    const stage = state.stage(stageId);
    if (!stage) throw validationFailed(`'stage_id' refers to stage ${stageId}, which does not exist`);
    if (pipelineId !== undefined && pipelineId !== stage.pipeline_id) {
      throw validationFailed(`'pipeline_id' ${pipelineId} is not the pipeline of stage ${stageId} (pipeline ${stage.pipeline_id}): send 'stage_id' alone, it implies the pipeline`);
    }
    return { stage_id: stage.id, pipeline_id: stage.pipeline_id };
  }
  if (pipelineId !== undefined) {
    if (!state.pipeline(pipelineId)) throw validationFailed(`'pipeline_id' refers to pipeline ${pipelineId}, which does not exist`);
    if (current && current.pipeline_id === pipelineId) return undefined;
    const first = state.firstStage(pipelineId);
    if (!first) throw validationFailed(`'pipeline_id' refers to pipeline ${pipelineId}, which has no stages`);
    return { stage_id: first.id, pipeline_id: pipelineId };
  }
  if (current) return undefined;
  const pipeline = state.defaultPipeline();
  const first = pipeline && state.firstStage(pipeline.id);
  if (!pipeline || !first) throw validationFailed(`the company has no pipeline with stages to put the deal in`);
  return { stage_id: first.id, pipeline_id: pipeline.id };
}
