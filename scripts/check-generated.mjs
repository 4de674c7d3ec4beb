#!/usr/bin/env node
// Fails when a generated source is stale. Nothing is generated yet: the WGSL module generator
// arrives with the collectives (issue 4) and registers itself here.
console.log("check-generated: no generated sources to check");
