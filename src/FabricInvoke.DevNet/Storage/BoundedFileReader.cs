namespace FabricInvoke.DevNet.Storage;

/// <summary>Reads small files (PEM, JSON records) with a size limit, so a huge or endless file (a device) cannot exhaust memory.</summary>
internal static class BoundedFileReader
{
    /// <summary>The whole content of <paramref name="path"/>, at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">Its folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is longer than <paramref name="maxBytes"/> (or never ends).</exception>
    /// <exception cref="IOException">Another read failure.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied, or the path is a folder.</exception>
    public static byte[] Read(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var buffer = new byte[maxBytes + 1];
        var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (length > maxBytes)
        {
            throw new InvalidDataException($"larger than {maxBytes} bytes");
        }

        return buffer.AsSpan(0, length).ToArray();
    }
}
