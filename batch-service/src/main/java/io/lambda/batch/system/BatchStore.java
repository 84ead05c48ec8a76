package io.lambda.batch.system;

import io.lambda.store.ArchiverWatermarks;
import io.lambda.store.BatchCatalog;
import io.lambda.store.BatchCellPages;
import io.lambda.store.BatchCells;
import io.lambda.store.BatchLease;
import io.lambda.store.BatchVersions;
import io.lambda.store.MasterDataset;

/** The shared tables the batch layer reads and writes, opened once on the service's session. */
public record BatchStore(MasterDataset master, ArchiverWatermarks watermarks, BatchCatalog catalog,
                         BatchVersions versions, BatchCells cells, BatchCellPages pages, BatchLease lease) {
}
