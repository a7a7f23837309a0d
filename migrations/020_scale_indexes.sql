-- Every start (and every CLI command) asks for the versions whose digests were never computed (see
-- purge/seal.ts). Without an index that question read the whole of page_versions, bodies included: a few
-- seconds and every page of the file at 500,000 versions, at each start. Versions written since migration
-- 014 have their digests, so this partial index is nearly always empty and the question costs nothing.
CREATE INDEX page_versions_unsealed ON page_versions(page_id, version) WHERE digests IS NULL;
