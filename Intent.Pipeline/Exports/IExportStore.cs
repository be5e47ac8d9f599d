namespace Intent.Pipeline.Exports;

/// <summary>The object store that holds export files.</summary>
public interface IExportStore
{
    /// <summary>Name recorded as the export's <c>storageProvider</c>.</summary>
    string Provider { get; }

    /// <summary>Stores what <paramref name="writeContent"/> writes under <paramref name="key"/>, replacing what was there; nothing is visible until it is whole.</summary>
    Task WriteAsync(string key, Func<Stream, Task> writeContent, CancellationToken cancellationToken);

    /// <summary>The stored file, or null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the stored file; removing one that is not there is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
