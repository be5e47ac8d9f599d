namespace Intent.Pipeline.Exports;

/// <summary>The S3-compatible store of exports (configuration section <c>Exports:S3</c>).</summary>
public sealed class S3ExportOptions
{
    /// <summary>Endpoint of an S3-compatible server (MinIO, Ceph, ...); empty for Amazon S3 in <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    public string Bucket { get; set; } = "";

    /// <summary>Key prefix of every export object, e.g. <c>exports/</c>.</summary>
    public string? Prefix { get; set; }

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;
}
