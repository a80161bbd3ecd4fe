using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Distributed.Bench.Load;

/// <summary>
/// The open loop (<see cref="OpenLoop"/>'s schedule and latency rule) over plain HTTP/1.1 keep-alive
/// connections on blocking sockets (<c>--client raw</c>), for a latency figure the load client's own
/// CPU does not distort. Through <see cref="Distributed.Predictor.Client.PredictorClient"/> a request
/// of the open loop woke three or four of the client's threads (a pool thread to send, the socket
/// poller, a pool thread for the answer) and cost the client 250–350 µs of CPU, more than the server
/// spent on it; on 2 shared cores that held the server's answers back. Here the dispatcher thread
/// writes each request itself and the connection's own thread, blocked in <c>recv</c>, wakes once for
/// the answer: 44–65 µs a request.
/// </summary>
/// <remarks>
/// Every connection carries one request at a time and has a thread of its own, so at most
/// <c>maxOutstanding</c> connections (and threads) exist; a due request finds an idle one, opens
/// another below the cap, or waits for one (counted, as in <see cref="OpenLoop"/>). An answer counts
/// as answered when its status is 200 and its JSON carries one cluster per image. Bodies are the
/// .npy requests <see cref="Distributed.Predictor.Client.PredictorClient"/> sends (its <c>NpyPixelsBody</c>).
/// </remarks>
internal sealed class RawOpenLoop : IDisposable
{
    private static readonly byte[] s_headerEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_lastChunk = "0\r\n\r\n"u8.ToArray();

    private readonly EndPoint _server;
    private readonly byte[][] _requests;
    private readonly int _requestBodyBytes;
    private readonly int _imagesPerRequest;
    private readonly Stack<Connection> _idle = new();
    private readonly List<Connection> _all = [];
    private readonly SemaphoreSlim _slots;
    private long[] _due = [];
    private long[] _latencies = [];
    private CountdownEvent _finished = new(0);
    private int _errors;
    private string? _firstError;
    private long _answerBytes;

    /// <param name="url">The server's root; its host must be an IP address or resolve to one.</param>
    /// <param name="bodies">The distinct .npy request bodies (<see cref="Distributed.Predictor.Client.PredictorClient.NpyPixelsBody"/>), sent in turn.</param>
    /// <param name="imagesPerRequest">Images in each body: an answer must carry as many clusters.</param>
    /// <param name="maxOutstanding">Most requests (and connections) in flight.</param>
    public RawOpenLoop(Uri url, ReadOnlyMemory<byte>[] bodies, int imagesPerRequest, int maxOutstanding)
    {
        var address = IPAddress.TryParse(url.Host, out var ip) ? ip : Dns.GetHostAddresses(url.Host)[0];
        _server = new IPEndPoint(address, url.Port);
        var path = new Uri(url, "v1/predict").PathAndQuery;
        _requests = [.. bodies.Select(body => (byte[])[
            .. Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Type: application/x-npy\r\nContent-Length: {body.Length}\r\n\r\n"),
            .. body.Span])];
        _requestBodyBytes = bodies[0].Length;
        _imagesPerRequest = imagesPerRequest;
        _slots = new SemaphoreSlim(maxOutstanding, maxOutstanding);
    }

    /// <summary>What the last <see cref="Run"/> exchanged.</summary>
    public Exchanged Exchanged { get; private set; } = new(0, null, 0, 0, 0);

    /// <summary>Sends <paramref name="count"/> requests at <paramref name="rate"/> per second; latencies from each scheduled time.</summary>
    public LoadResult Run(int count, double rate, TimeSpan deadline)
    {
        _errors = 0;
        _firstError = null;
        _answerBytes = 0;
        _finished.Dispose();
        _finished = new CountdownEvent(count);
        _latencies = new long[count];
        var sendLags = new long[count];
        var start = Stopwatch.GetTimestamp();
        _due = OpenLoop.Schedule(start, count, rate);
        var capWaits = 0;
        var launched = 0;
        var stopAt = start + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < count && Stopwatch.GetTimestamp() < stopAt; i++, launched++)
        {
            OpenLoop.SleepUntil(_due[i]);
            if (!_slots.Wait(0))
            {
                capWaits++;
                _slots.Wait();
            }
            sendLags[i] = Stopwatch.GetTimestamp() - _due[i];
            Connection connection;
            try
            {
                connection = Take();
            }
            catch (SocketException e)
            {
                // No connection (the server went away): this request fails, the schedule goes on.
                Answered(null, i, e.Message, 0);
                continue;
            }
            connection.Send(i, _requests[i % _requests.Length]);
        }
        // Requests never sent (past the deadline) finish here, uncounted.
        if (launched < count)
        {
            _finished.Signal(count - launched);
        }
        _finished.Wait(TimeSpan.FromTicks(Math.Max(0, (stopAt - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
        var wall = Stopwatch.GetElapsedTime(start);
        var completed = launched - (int)_finished.CurrentCount;
        Exchanged = new Exchanged(Volatile.Read(ref _errors), Volatile.Read(ref _firstError), completed, (long)completed * _requestBodyBytes, Interlocked.Read(ref _answerBytes));
        return new LoadResult(completed, wall, _latencies.AsSpan(0, launched).ToArray(), sendLags.AsSpan(0, launched).ToArray(), capWaits);
    }

    public void Dispose()
    {
        lock (_all)
        {
            foreach (var connection in _all)
            {
                connection.Dispose();
            }
        }
        _slots.Dispose();
        _finished.Dispose();
    }

    /// <summary>An idle connection, or a new one: a slot was taken, so fewer than the cap are busy.</summary>
    private Connection Take()
    {
        lock (_idle)
        {
            // One the server closed while it was idle is passed over.
            while (_idle.TryPop(out var idle))
            {
                if (idle.IsOpen)
                {
                    return idle;
                }
            }
        }
        var connection = new Connection(this);
        lock (_all)
        {
            _all.Add(connection);
        }
        return connection;
    }

    private void Answered(Connection? connection, int index, string? error, int answerBytes)
    {
        _latencies[index] = Stopwatch.GetTimestamp() - _due[index];
        if (error is not null)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, error, null);
        }
        Interlocked.Add(ref _answerBytes, answerBytes);
        if (connection is { IsOpen: true })
        {
            lock (_idle)
            {
                _idle.Push(connection);
            }
        }
        _slots.Release();
        _finished.Signal();
    }

    /// <summary>Why an answer does not count, or null: status 200 and one cluster per image.</summary>
    private string? Check(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        if (!head.StartsWith("HTTP/1.1 200 "u8))
        {
            var statusLine = head.IndexOf("\r\n"u8);
            return Encoding.ASCII.GetString(statusLine < 0 ? head : head[..statusLine]);
        }
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("clusters"u8))
            {
                reader.Read();
                var clusters = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    clusters++;
                }
                return clusters == _imagesPerRequest ? null : $"{clusters} predictions for {_imagesPerRequest} images";
            }
        }
        return "an answer without clusters";
    }

    /// <summary>One keep-alive connection and the thread that reads its answers.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly RawOpenLoop _loop;
        private readonly Socket _socket;
        private volatile int _index;

        // 1 while a request is out: a failure then finishes that request, and only once.
        private int _busy;

        public Connection(RawOpenLoop loop)
        {
            _loop = loop;
            _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket.Connect(loop._server);
            new Thread(Read) { IsBackground = true, Name = "raw-http-reader" }.Start();
        }

        private volatile bool _open = true;

        /// <summary>False once the connection failed or was closed (read by the dispatcher, set by the reader).</summary>
        public bool IsOpen => _open;

        public void Send(int index, byte[] request)
        {
            _index = index;
            Volatile.Write(ref _busy, 1);
            try
            {
                _socket.Send(request);
            }
            catch (SocketException e)
            {
                Fail(e.Message);
            }
        }

        /// <summary>Closes the connection; the request it carried, if any, finishes as failed.</summary>
        private void Fail(string error)
        {
            _open = false;
            if (Interlocked.Exchange(ref _busy, 0) == 1)
            {
                _loop.Answered(this, _index, error, 0);
            }
        }

        public void Dispose()
        {
            _open = false;
            _socket.Dispose();
        }

        /// <summary>Reads answers as they come: the head to its blank line, then a Content-Length or chunked body.</summary>
        private void Read()
        {
            var buffer = new byte[64 * 1024];
            var filled = 0;
            while (true)
            {
                int received;
                try
                {
                    received = _socket.Receive(buffer.AsSpan(filled));
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    received = 0;
                }
                if (received == 0)
                {
                    Fail("the server closed the connection");
                    return;
                }
                filled += received;
                while (TryFrame(buffer.AsSpan(0, filled), out var headLength, out var bodyStart, out var bodyLength, out var frameLength))
                {
                    var body = BodyOf(buffer.AsSpan(bodyStart, frameLength - bodyStart), bodyLength);
                    var error = _loop.Check(buffer.AsSpan(0, headLength), body);
                    var bodyBytes = body.Length;
                    buffer.AsSpan(frameLength, filled - frameLength).CopyTo(buffer);
                    filled -= frameLength;
                    if (Interlocked.Exchange(ref _busy, 0) == 1)
                    {
                        _loop.Answered(this, _index, error, bodyBytes);
                    }
                }
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }

        /// <summary>Whether <paramref name="data"/> starts with a whole answer; its head, body start, body length (-1 when chunked) and total length.</summary>
        private static bool TryFrame(ReadOnlySpan<byte> data, out int headLength, out int bodyStart, out int bodyLength, out int frameLength)
        {
            headLength = data.IndexOf(s_headerEnd);
            bodyStart = headLength + s_headerEnd.Length;
            bodyLength = -1;
            frameLength = 0;
            if (headLength < 0)
            {
                return false;
            }
            var head = data[..headLength];
            var at = IndexOfHeader(head, "\r\ncontent-length:"u8);
            if (at >= 0)
            {
                var value = head[(at + "\r\ncontent-length:"u8.Length)..];
                var end = value.IndexOf("\r\n"u8);
                value = (end < 0 ? value : value[..end]).Trim((byte)' ');
                if (!Utf8Parser.TryParse(value, out bodyLength, out _))
                {
                    throw new InvalidDataException("an answer with a malformed Content-Length");
                }
                frameLength = bodyStart + bodyLength;
                return data.Length >= frameLength;
            }
            // Chunked: the body ends with the last (zero-length) chunk and an empty trailer.
            var last = data[bodyStart..].IndexOf(s_lastChunk);
            if (last < 0)
            {
                return false;
            }
            frameLength = bodyStart + last + s_lastChunk.Length;
            return true;
        }

        /// <summary>The body's bytes: as they are, or with a chunked body's size lines taken out.</summary>
        private static ReadOnlySpan<byte> BodyOf(ReadOnlySpan<byte> framed, int bodyLength)
        {
            if (bodyLength >= 0)
            {
                return framed;
            }
            var body = new List<byte>(framed.Length);
            while (true)
            {
                var line = framed.IndexOf("\r\n"u8);
                if (!Utf8Parser.TryParse(framed[..line], out int size, out _, 'x') || size == 0)
                {
                    return body.ToArray();
                }
                body.AddRange(framed.Slice(line + 2, size));
                framed = framed[(line + 2 + size + 2)..];
            }
        }

        private static int IndexOfHeader(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lowerName)
        {
            Span<byte> lower = head.Length <= 4096 ? stackalloc byte[head.Length] : new byte[head.Length];
            for (var i = 0; i < head.Length; i++)
            {
                lower[i] = head[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(head[i] + 32) : head[i];
            }
            return lower.IndexOf(lowerName);
        }
    }
}
