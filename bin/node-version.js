// The Node.js version edgehook needs, checked before any TypeScript is loaded (bin/edgehook.js).
// Plain JavaScript on purpose: it must run on the old Node it refuses.

/** The first major version that strips TypeScript types by default and has the APIs edgehook uses. */
export const REQUIRED_MAJOR = 24;

/** null when `version` (process.versions.node) will do; otherwise the one-line reason and the fix. */
export function nodeVersionProblem(version, execPath) {
  const major = Number.parseInt(String(version).split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= REQUIRED_MAJOR) return null;
  return `needs Node.js ${REQUIRED_MAJOR} or later, but this is Node.js ${version} (${execPath}). ` +
    `Run it through npm (npx edgehook …, npm run …: the node@${REQUIRED_MAJOR} devDependency brings Node.js ${REQUIRED_MAJOR}), ` +
    `or install Node.js ${REQUIRED_MAJOR} LTS.`;
}
