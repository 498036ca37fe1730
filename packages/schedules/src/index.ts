/**
 * @packageDocumentation
 * MDDM noise schedules, the wrapped variance-exploding forward process, exact posteriors, samplers and the wrapped-normal score.
 */
export const PACKAGE_NAME = '@mddm/schedules';
