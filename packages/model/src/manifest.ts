// Placeholder so the package builds; replaced by the manifest module (parse, validate, digest, semver, inputs).
export {};
