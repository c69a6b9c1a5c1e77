// The line shown under a user-input task's box after an answer was checked. The agent
// answers a submission with the task as it stands after one run of its check, so the
// task's status is the verdict and its hint (from hintcheck) says what to fix.
import type { TaskRecord } from '../../host-agent/api/protocol';
import type { AnswerVerdict } from '../../webviews/tutorial/protocol';

/** What the learner reads under the input box once their answer was checked. */
export function answerVerdict(t: TaskRecord): AnswerVerdict {
  if (t.status === 'completed') return { ok: true, message: 'Correct.' };
  if (t.status === 'failed') return { ok: false, message: 'That answer failed the challenge.' };
  const hint = t.hint?.trim();
  return { ok: false, message: hint ? `Not quite: ${hint}` : 'Not quite. Try again.' };
}
