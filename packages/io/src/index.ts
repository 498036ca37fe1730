/**
 * @packageDocumentation
 * Extended XYZ and LAMMPS dump formats, the LAMMPS OPP dataset generator and the shipped MDDM data sets.
 */
export const PACKAGE_NAME = '@mddm/io';
