using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Exports;

/// <summary>
/// Exports in any S3-compatible object store (<c>Exports:Storage = s3</c>). The file is first written to
/// a local temporary file (bounded memory whatever its size), then uploaded in one PUT; an object
/// appears only when its upload completes.
/// </summary>
public sealed class S3ExportStore : IExportStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3ExportOptions _options;

    public S3ExportStore(IOptions<ExportOptions> options)
    {
        _options = options.Value.S3;
        var config = new AmazonS3Config
        {
            ForcePathStyle = _options.ForcePathStyle,
            AuthenticationRegion = _options.Region,
            // What every S3-compatible server understands: no streaming trailer checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(_options.ServiceUrl))
        {
            config.ServiceURL = _options.ServiceUrl;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(_options.Region);
        }

        _client = new AmazonS3Client(new BasicAWSCredentials(_options.AccessKey, _options.SecretKey), config);
    }

    public string Provider => "s3";

    public async Task WriteAsync(string key, Func<Stream, Task> writeContent, CancellationToken cancellationToken)
    {
        var spool = Path.Combine(Path.GetTempPath(), $"intent-export-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await writeContent(file);
            }

            // One signed PUT of the file (up to 5 GB); plain, not aws-chunked, which every S3-compatible server reads.
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = ObjectKey(key),
                FilePath = spool,
                ContentType = "text/csv; charset=utf-8",
                UseChunkEncoding = false,
            }, cancellationToken);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        _client.DeleteObjectAsync(_options.Bucket, ObjectKey(key), cancellationToken);

    public void Dispose() => _client.Dispose();

    private string ObjectKey(string key) => string.IsNullOrEmpty(_options.Prefix) ? key : $"{_options.Prefix.TrimEnd('/')}/{key}";

    /// <summary>The object's body; disposing it releases the response.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _body.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _body.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
